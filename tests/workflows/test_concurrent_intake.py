"""Reports arriving at the same moment get distinct, consecutive references (run on
PostgreSQL too, where the transactions really are concurrent)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from db.enums import Category
from db.models import Case
from db.session import make_sessionmaker
from workflows.outbox import OutboxNotifier
from workflows.reports import ReportForm, submit_report

FORM = ReportForm(
    description="Someone shouted slurs at the bar.",
    category=Category.DISCRIMINATION,
    anonymous=True,
    follow_up_allowed=True,
    apology_wanted=False,
)


def test_concurrent_reports_get_unique_sequential_references(clean_db, clock):
    sessions = make_sessionmaker(clean_db)
    start = threading.Barrier(12)

    def file(i: int) -> str:
        start.wait()
        with sessions.begin() as session:
            case = submit_report(
                session,
                OutboxNotifier(session, clock()),
                form=FORM,
                reporter_id=f"U0REPORT{i:02d}",
                submission_key=f"V{i}",
                now=clock(),
            ).case
            return case.reference

    with ThreadPoolExecutor(12) as pool:
        references = list(pool.map(file, range(12)))

    assert sorted(references) == [f"CoC-{n:04d}" for n in range(1, 13)]
    with sessions.begin() as session:
        assert session.scalars(select(Case.number).order_by(Case.number)).all() == list(range(1, 13))
