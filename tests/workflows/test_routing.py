import pytest

from db.enums import Category, Routing, TimelineKind
from tests.workflows.recording import RecordingNotifier
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, choose_routing, route_case

CHANNELS = Channels(organizers="C0ORGANIZE", escalation="C0ESCALATE")
ORGANIZERS = frozenset({"U0ORG1", "U0ORG2", "U0LEAD"})


@pytest.mark.parametrize(
    ("involved", "channels", "escalation_members", "expected"),
    [
        ({"U0PART"}, CHANNELS, frozenset({"U0LEAD"}), (Routing.ORGANIZERS, "C0ORGANIZE")),
        (set(), CHANNELS, frozenset({"U0LEAD"}), (Routing.ORGANIZERS, "C0ORGANIZE")),
        ({"U0ORG1"}, CHANNELS, frozenset({"U0LEAD"}), (Routing.ESCALATED, "C0ESCALATE")),
        ({"U0ORG1", "U0LEAD"}, CHANNELS, frozenset({"U0LEAD"}), (Routing.HELD, None)),
        ({"U0ORG1"}, Channels(organizers="C0ORGANIZE"), None, (Routing.HELD, None)),
    ],
)
def test_choose_routing(involved, channels, escalation_members, expected):
    members = Membership(organizers=ORGANIZERS, escalation=escalation_members)
    assert choose_routing(involved, channels, members) == expected


def test_route_case_records_the_decision_once(session, clock):
    form = ReportForm(
        description="An organizer shouted at me.",
        category=Category.HARASSMENT,
        anonymous=True,
        follow_up_allowed=True,
        apology_wanted=False,
        involved_user_ids=("U0ORG1",),
    )
    case = submit_report(
        session, RecordingNotifier(), form=form, reporter_id="U0PART", submission_key="V1", now=clock()
    ).case
    members = Membership(organizers=ORGANIZERS, escalation=frozenset({"U0LEAD"}))

    route_case(session, case_id=case.id, channels=CHANNELS, members=members, now=clock())
    # A second routing (e.g. after a crash) changes nothing, even if membership changed.
    route_case(session, case_id=case.id, channels=CHANNELS, members=Membership(organizers=frozenset()), now=clock())

    assert (case.routing, case.channel_id) == (Routing.ESCALATED, "C0ESCALATE")
    assert [entry.kind for entry in case.timeline] == [TimelineKind.CREATED, TimelineKind.ROUTED]
