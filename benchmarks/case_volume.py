"""What many stored cases cost: App Home and case card renders against a seeded database, and the
database's size per case.

Each render is what the app does for one view, in-process, in a transaction of its own:

* organizer Home: ``own_reports`` + ``open_cases_for`` + ``failed_deliveries`` (the listener's
  queries), then ``organizer_home(...)`` and the view's ``to_dict()`` (what views.publish sends).
  For an organizer in the organizers' channel, and for the lead, who is in both channels;
* participant Home: ``own_reports`` + ``participant_home`` + ``to_dict()``, a different
  participant each time;
* case card update: ``case_facts`` + ``case_card(...).as_kwargs()`` of a random open case.

The members of the channels (asked of Slack in the listener) are given, not fetched.
"""

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from benchmarks.common import (
    ESCALATION,
    LEAD,
    ORGANIZER_IDS,
    ORGANIZERS,
    BenchDatabase,
    key_file,
    ms,
    summary,
    table,
    write_result,
)
from benchmarks.seed import participants_for, seed, seeded_cases
from db.enums import CaseStatus
from db.health_queries import failed_deliveries
from db.home_queries import open_cases_for, own_reports
from db.models import Case
from db.queries import case_facts
from db.session import make_sessionmaker
from slack_app.bolt.listeners.home import COC_DEFAULT
from slack_app.views.cases import case_card
from slack_app.views.home import coc_sections, organizer_home, participant_home

TARGET = 0.100  # p95, seconds
WARM_UP = 5


def _timed(render: Callable[[int], Any], count: int) -> list[float]:
    for i in range(WARM_UP):
        render(i)
    times = []
    for i in range(count):
        started = time.perf_counter()
        render(i)
        times.append(time.perf_counter() - started)
    return times


def _seeded(engine) -> int | None:
    try:
        return seeded_cases(engine)
    except SQLAlchemyError:  # no tables yet
        return None


def run(db_kind: str, *, cases: int, renders: int, reseed: bool = False) -> dict[str, Any]:
    db = BenchDatabase(db_kind, "cases")
    key = key_file()
    seeding = None
    engine = db.engine(keys=[key]) if db.exists() else None
    if reseed or engine is None or _seeded(engine) != cases:
        if engine is not None:
            engine.dispose()
        db.reset()
        engine = db.engine(keys=[key])
        print(f"  seeding {cases} cases ...", flush=True)
        seeding = seed(engine, cases)
        print(f"  seeded in {seeding['seconds']:.0f}s", flush=True)
    sessions = make_sessionmaker(engine)
    rng = random.Random(7)
    now = datetime.now(UTC)
    coc = coc_sections(COC_DEFAULT.read_text(encoding="utf-8"))
    people = participants_for(cases)
    with sessions.begin() as session:
        open_ids = list(session.scalars(select(Case.id).where(Case.status != CaseStatus.CLOSED)))
        open_count = len(open_ids)

    def organizer(viewer: str, channels: list[str]) -> Callable[[int], Any]:
        def render(_: int) -> Any:
            with sessions.begin() as session:
                own = own_reports(session, reporter_id=viewer)
                open_cases = open_cases_for(session, viewer_id=viewer, channel_ids=channels)
                failed = failed_deliveries(session, channels)
            view = organizer_home(
                open_cases,
                own,
                now=now,
                workspace_url="https://stand-in.slack.test/",
                ack_overdue_after=timedelta(minutes=30),
                failed=failed,
            )
            return view.to_dict()

        return render

    def participant(_: int) -> Any:
        viewer = rng.choice(people)
        with sessions.begin() as session:
            own = own_reports(session, reporter_id=viewer)
        return participant_home(own, coc).to_dict()

    def card(_: int) -> Any:
        with sessions.begin() as session:
            facts = case_facts(session, rng.choice(open_ids))
        return case_card(facts).as_kwargs()

    renders_by_name = {
        "organizer Home (1 channel)": organizer(ORGANIZER_IDS[0], [ORGANIZERS]),
        "lead Home (2 channels)": organizer(LEAD, [ORGANIZERS, ESCALATION]),
        "participant Home": participant,
        "case card update": card,
    }
    results = {name: summary(_timed(render, renders)) for name, render in renders_by_name.items()}
    size = db.size_bytes(engine)
    engine.dispose()
    data = {
        "cases": cases,
        "open_cases": open_count,
        "renders": renders,
        "seeding": seeding,
        "results": results,
        "database_bytes": size,
        "bytes_per_case": size / cases,
        "target_p95_seconds": TARGET,
    }
    print(render(db_kind, data))
    path = write_result("case_volume", db_kind, data)
    print(f"wrote {path}")
    return data


def render(db_kind: str, data: dict[str, Any]) -> str:
    rows = [
        [name, ms(r["p50"]), ms(r["p95"]), ms(r["p99"]), ms(r["max"]), "yes" if r["p95"] < TARGET else "NO"]
        for name, r in data["results"].items()
    ]
    seeding = data["seeding"]
    seeded = f", seeded in {seeding['seconds']:.0f}s" if seeding else " (seeded earlier)"
    return (
        f"\ncase_volume on {db_kind}: {data['cases']} cases, {data['open_cases']} open{seeded}\n"
        + table(["render", "p50 ms", "p95 ms", "p99 ms", "max ms", "p95 < 100 ms"], rows)
        + f"\ndatabase size {data['database_bytes'] / 2**20:.0f} MiB"
        + f" = {data['bytes_per_case'] / 1024:.1f} KiB per case"
    )
