from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy import insert

from db.enums import CaseStatus, Category, PartyRole, Routing
from db.home_queries import OPEN_CASES_LIMIT, open_cases_for, own_reports
from db.models import Case, Party
from slack_app.sandbox.transcript import block_lines
from slack_app.views.home import organizer_home

ORGANIZERS = "C0ORGANIZE"
ESCALATION = "C0ESCALATE"
VIEWER = "U0ORGANIZ1"
REPORTER = "U0PARTIC01"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

_numbers = count(1)


def add_case(
    session,
    *,
    status: CaseStatus = CaseStatus.NEW,
    routing: Routing = Routing.ORGANIZERS,
    channel: str | None = ORGANIZERS,
    urgent: bool = False,
    age: timedelta = timedelta(hours=1),
    reporter: str = REPORTER,
    involved: tuple[str, ...] = (),
    assignee: str | None = None,
) -> str:
    number = next(_numbers)
    case = Case(
        number=number,
        submission_key=f"V{number}",
        status=status,
        category=Category.HARASSMENT,
        urgent=urgent,
        anonymous=False,
        follow_up_allowed=True,
        apology_wanted=False,
        routing=routing,
        channel_id=channel,
        card_ts=f"1764061200.{number:06d}",
        assignee_id=assignee,
        created_at=NOW - age,
        updated_at=NOW - age,
    )
    case.parties = [Party(role=PartyRole.REPORTER, slack_user_id=reporter)]
    case.parties += [Party(role=PartyRole.INVOLVED, slack_user_id=user) for user in involved]
    session.add(case)
    session.flush()
    return case.reference


def references(result) -> list[str]:
    return [case.reference for case in result.cases]


def test_open_cases_are_grouped_by_status_with_urgent_then_newest_first(session):
    old_new = add_case(session, age=timedelta(hours=5))
    fresh_new = add_case(session, age=timedelta(minutes=5))
    old_urgent = add_case(session, urgent=True, age=timedelta(hours=9))
    investigating = add_case(session, status=CaseStatus.INVESTIGATING, age=timedelta(minutes=1))
    acknowledged = add_case(session, status=CaseStatus.ACKNOWLEDGED, assignee="U0ORGANIZ2", age=timedelta(days=2))
    resolved = add_case(session, status=CaseStatus.RESOLVED)

    result = open_cases_for(session, viewer_id=VIEWER, channel_ids=[ORGANIZERS])

    assert references(result) == [old_urgent, fresh_new, old_new, acknowledged, investigating, resolved]
    assert result.counts == {
        CaseStatus.NEW: 3,
        CaseStatus.ACKNOWLEDGED: 1,
        CaseStatus.INVESTIGATING: 1,
        CaseStatus.RESOLVED: 1,
    }
    assert result.not_shown == 0
    ack = result.cases[3]
    assert (ack.category, ack.assignee_id, ack.channel_id) == (Category.HARASSMENT, "U0ORGANIZ2", ORGANIZERS)
    assert ack.created_at == NOW - timedelta(days=2)


def test_cases_naming_the_viewer_held_closed_and_in_other_channels_are_never_listed(session):
    visible = add_case(session, involved=("U0PARTIC02",))
    reported_by_viewer = add_case(session, reporter=VIEWER)
    add_case(session, involved=(VIEWER,))  # names the viewer (they joined the channel later)
    add_case(session, involved=("U0PARTIC02", VIEWER), status=CaseStatus.INVESTIGATING)
    add_case(session, status=CaseStatus.CLOSED)
    add_case(session, routing=Routing.HELD, channel=None)
    add_case(session, routing=Routing.PENDING, channel=None)
    add_case(session, routing=Routing.ESCALATED, channel=ESCALATION)

    result = open_cases_for(session, viewer_id=VIEWER, channel_ids=[ORGANIZERS])

    # Same age: the later one first. Reporting a case does not hide it from an organizer.
    assert references(result) == [reported_by_viewer, visible]
    assert result.total == 2


def test_a_member_of_the_escalation_channel_sees_its_cases_too(session):
    escalated = add_case(session, routing=Routing.ESCALATED, channel=ESCALATION, involved=("U0ORGANIZ2",))
    organizers = add_case(session, age=timedelta(hours=2))

    both = open_cases_for(session, viewer_id="U0LEADORG1", channel_ids=[ORGANIZERS, ESCALATION])
    escalation_only = open_cases_for(session, viewer_id="U0LEADORG1", channel_ids=[ESCALATION])
    named = open_cases_for(session, viewer_id="U0ORGANIZ2", channel_ids=[ORGANIZERS, ESCALATION])

    assert references(both) == [escalated, organizers]
    assert references(escalation_only) == [escalated]
    assert references(named) == [organizers]


def test_someone_in_no_organizer_channel_gets_no_cases(session):
    add_case(session)
    result = open_cases_for(session, viewer_id=VIEWER, channel_ids=[])
    assert result.cases == () and result.total == 0


def test_thousands_of_cases_show_the_first_forty_and_count_the_rest(session):
    """Bulk data: what the Home tab lists is bounded and exact, and nothing hidden leaks in."""
    statuses = [CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.INVESTIGATING, CaseStatus.RESOLVED]
    rows = []
    for n in range(1, 4001):
        kind = n % 8  # 0: names the viewer, 1: held, 2: closed, 3: other channel, else visible
        rows.append(
            dict(
                number=n,
                submission_key=f"bulk-{n}",
                status=CaseStatus.CLOSED if kind == 2 else statuses[n % 4],
                category=Category.SPAM,
                urgent=n % 97 == 0,
                anonymous=True,
                follow_up_allowed=False,
                apology_wanted=False,
                routing=Routing.HELD if kind == 1 else Routing.ORGANIZERS,
                channel_id=None if kind == 1 else ("C0ELSEWHER" if kind == 3 else ORGANIZERS),
                card_ts=f"1764061200.{n:06d}",
                created_at=NOW - timedelta(minutes=n),
                updated_at=NOW - timedelta(minutes=n),
            )
        )
    ids = session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), rows).all()
    parties = [dict(case_id=case_id, role=PartyRole.REPORTER, slack_user_id=REPORTER) for case_id in ids]
    parties += [
        dict(case_id=case_id, role=PartyRole.INVOLVED, slack_user_id=VIEWER)
        for n, case_id in enumerate(ids, start=1)
        if n % 8 == 0
    ]
    session.execute(insert(Party), parties)
    hidden = {f"CoC-{n:04d}" for n in range(1, 4001) if n % 8 in (0, 1, 2, 3)}
    visible_new = [n for n in range(1, 4001) if n % 8 not in (0, 1, 2, 3) and n % 4 == 0]
    visible_total = sum(1 for n in range(1, 4001) if n % 8 not in (0, 1, 2, 3))

    result = open_cases_for(session, viewer_id=VIEWER, channel_ids=[ORGANIZERS])

    assert len(result.cases) == OPEN_CASES_LIMIT
    assert result.total == visible_total == 2000
    assert not hidden & set(references(result))
    # Only new cases fit: the urgent ones first, then the newest (lowest numbers are newest).
    urgent_new = [n for n in visible_new if n % 97 == 0]
    expected = urgent_new + [n for n in visible_new if n % 97]
    assert references(result) == [f"CoC-{n:04d}" for n in expected[:OPEN_CASES_LIMIT]]
    lines = block_lines(
        organizer_home(result, own_reports(session, reporter_id=VIEWER), now=NOW, workspace_url=None).to_dict()[
            "blocks"
        ]
    )
    assert "*New* (500)" in lines
    assert "*Acknowledged* (500)" not in lines  # no room left for another group
    assert lines[-1] == "…and 1960 more open cases."


def test_own_reports_are_the_viewers_reports_only_newest_first_with_closed_ones(session):
    first = add_case(session, age=timedelta(days=3), status=CaseStatus.CLOSED)
    second = add_case(session, age=timedelta(days=1), status=CaseStatus.INVESTIGATING, routing=Routing.HELD)
    add_case(session, reporter="U0PARTIC02")
    add_case(session, reporter="U0PARTIC02", involved=(REPORTER,))

    result = own_reports(session, reporter_id=REPORTER)

    assert [(r.reference, r.status) for r in result.reports] == [
        (second, CaseStatus.INVESTIGATING),
        (first, CaseStatus.CLOSED),
    ]
    assert result.reports[0].filed_at == NOW - timedelta(days=1)
    assert result.total == 2 and result.not_shown == 0
    assert own_reports(session, reporter_id="U0NOBODY01").reports == ()


def test_own_reports_are_limited_and_counted(session):
    made = [add_case(session, age=timedelta(minutes=minutes)) for minutes in range(1, 14)]

    result = own_reports(session, reporter_id=REPORTER, limit=10)

    assert [r.reference for r in result.reports] == made[:10]
    assert (result.total, result.not_shown) == (13, 3)
