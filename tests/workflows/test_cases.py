"""Case-handling rules, against a real session with a recording notifier."""

import pytest

from db.enums import ActionKind, ActionResult, CaseStatus, Category, Outcome, Routing, TimelineKind
from tests.workflows.recording import RecordingNotifier
from workflows import access, actions, cases
from workflows.errors import InvalidInput, NotAllowed, WorkflowError
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

ORGANIZERS = frozenset({"U0OLIVIA", "U0OMAR"})
OLIVIA = access.Actor("U0OLIVIA", ORGANIZERS)


@pytest.fixture
def case(session, clock):
    form = ReportForm(
        description="Pushy sales pitches in DMs.",
        category=Category.SPAM,
        anonymous=False,
        follow_up_allowed=True,
        apology_wanted=True,
        involved_user_ids=("U0BLAKE",),
    )
    case = submit_report(
        session, RecordingNotifier(), form=form, reporter_id="U0ALEX", submission_key="V1", now=clock()
    ).case
    route_case(
        session,
        case_id=case.id,
        channels=Channels("C0ORGANIZE"),
        members=Membership(organizers=ORGANIZERS),
        now=clock(),
    )
    return case


def kinds(case) -> list[TimelineKind]:
    return [entry.kind for entry in case.timeline]


def test_only_members_of_the_case_channel_who_are_not_named_may_act(session, clock, case):
    notifier = RecordingNotifier()
    with pytest.raises(NotAllowed, match="Only organizers"):
        cases.acknowledge_case(
            session, notifier, case_id=case.id, actor=access.Actor("U0ALEX", ORGANIZERS), now=clock()
        )
    named = access.Actor("U0BLAKE", ORGANIZERS | {"U0BLAKE"})
    with pytest.raises(NotAllowed, match="named in this case"):
        cases.add_note(session, notifier, case_id=case.id, actor=named, text="x", now=clock())
    assert notifier.sent == [] and kinds(case) == [TimelineKind.CREATED, TimelineKind.ROUTED]


def test_a_held_case_has_no_organizers(session, clock, case):
    case.routing, case.channel_id = Routing.HELD, None
    with pytest.raises(NotAllowed):
        cases.acknowledge_case(session, RecordingNotifier(), case_id=case.id, actor=OLIVIA, now=clock())
    assert access.case_channel(session, case.id) is None


def test_acknowledging_once_tells_the_reporter_and_updates_the_card(session, clock, case):
    notifier = RecordingNotifier()
    cases.acknowledge_case(session, notifier, case_id=case.id, actor=OLIVIA, now=clock())
    assert (case.status, case.acknowledged_by) == (CaseStatus.ACKNOWLEDGED, "U0OLIVIA")
    assert notifier.kinds() == [
        ("organizers", "card_update"),
        ("organizers", "thread_line"),
        ("reporter", "acknowledged"),
    ]
    with pytest.raises(WorkflowError, match="already acknowledged"):
        cases.acknowledge_case(session, notifier, case_id=case.id, actor=OLIVIA, now=clock())


def test_a_lead_must_be_an_organizer_of_the_case_and_not_named_in_it(session, clock, case):
    for assignee, message in [(None, "Please choose"), ("U0ALEX", "not an organizer"), ("U0BLAKE", "not an organizer")]:
        with pytest.raises(InvalidInput, match=message) as refused:
            cases.assign_case(
                session, RecordingNotifier(), case_id=case.id, actor=OLIVIA, assignee_id=assignee, now=clock()
            )
        assert refused.value.field == "assignee"
    cases.assign_case(session, RecordingNotifier(), case_id=case.id, actor=OLIVIA, assignee_id="U0OMAR", now=clock())
    assert case.assignee_id == "U0OMAR" and case.acknowledged_by == "U0OLIVIA"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CaseStatus.CLOSED, "Use Close"),
        (CaseStatus.NEW, "can't go back to new"),
        (CaseStatus.ACTION_TAKEN, "Record the action first"),
    ],
)
def test_status_changes_that_skip_the_rules_are_refused(session, clock, case, status, message):
    with pytest.raises(WorkflowError, match=message):
        cases.change_status(session, RecordingNotifier(), case_id=case.id, actor=OLIVIA, status=status, now=clock())
    assert case.status is CaseStatus.NEW


def test_recording_an_action_then_action_taken(session, clock, case):
    notifier = RecordingNotifier()
    form = actions.ActionForm(kind=ActionKind.FORMAL_WARNING, subject_id="U0BLAKE", reason="Second report.")
    action = actions.record_action(session, notifier, case_id=case.id, actor=OLIVIA, form=form, now=clock())
    assert action.result is ActionResult.RECORDED and action.decided_by == "U0OLIVIA"
    cases.change_status(session, notifier, case_id=case.id, actor=OLIVIA, status=CaseStatus.ACTION_TAKEN, now=clock())
    assert case.status is CaseStatus.ACTION_TAKEN


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (actions.ActionForm(kind=None, subject_id="U0BLAKE", reason="r"), "kind"),
        (actions.ActionForm(kind=ActionKind.FORMAL_WARNING, subject_id="U0BLAKE", reason=" "), "reason"),
        (actions.ActionForm(kind=ActionKind.ASKED_TO_STOP, subject_id="U0BLAKE", reason="r"), "message"),
        (actions.ActionForm(kind=ActionKind.ASKED_TO_STOP, subject_id=None, reason="r", message="m"), "subject"),
        (actions.ActionForm(kind=ActionKind.REMOVED_FROM_CHANNEL, subject_id="U0BLAKE", reason="r"), "channels"),
        (
            actions.ActionForm(kind=ActionKind.EXPELLED, subject_id="U0OMAR", reason="r", channel_ids=("C1GENERAL",)),
            "subject",
        ),
    ],
)
def test_incomplete_actions_get_a_field_error(session, clock, case, form, field):
    with pytest.raises(InvalidInput) as refused:
        actions.record_action(session, RecordingNotifier(), case_id=case.id, actor=OLIVIA, form=form, now=clock())
    assert refused.value.field == field and case.actions == []


def test_a_removal_waits_for_confirmation_and_records_failures(session, clock, case):
    notifier = RecordingNotifier()
    form = actions.ActionForm(
        kind=ActionKind.REMOVED_FROM_CHANNEL, subject_id="U0BLAKE", reason="r", channel_ids=("C1GENERAL", "C1SOCIAL")
    )
    action = actions.record_action(session, notifier, case_id=case.id, actor=OLIVIA, form=form, now=clock())
    assert action.result is ActionResult.AWAITING_CONFIRMATION
    assert ("organizers", "carry_out_action") not in notifier.kinds()

    actions.confirm_action(
        session, notifier, case_id=case.id, action_id=action.id, actor=OLIVIA, confirmed=True, now=clock()
    )
    assert action.result is ActionResult.PENDING and ("organizers", "carry_out_action") in notifier.kinds()
    with pytest.raises(WorkflowError, match="not waiting"):
        actions.confirm_action(
            session, notifier, case_id=case.id, action_id=action.id, actor=OLIVIA, confirmed=True, now=clock()
        )

    actions.record_action_result(
        session, notifier, action_id=action.id, failures={"C1SOCIAL": "not_in_channel"}, now=clock()
    )
    assert (action.result, action.result_detail) == (ActionResult.FAILED, "C1SOCIAL: not_in_channel")


def test_closing_needs_an_outcome_and_a_summary_and_reopening_a_reason(session, clock, case):
    with pytest.raises(InvalidInput, match="outcome"):
        cases.close_case(
            session, RecordingNotifier(), case_id=case.id, actor=OLIVIA, outcome=None, summary="s", now=clock()
        )
    with pytest.raises(InvalidInput, match="closing summary"):
        cases.close_case(
            session,
            RecordingNotifier(),
            case_id=case.id,
            actor=OLIVIA,
            outcome=Outcome.NO_ACTION_NEEDED,
            summary=" ",
            now=clock(),
        )
    notifier = RecordingNotifier()
    cases.close_case(
        session,
        notifier,
        case_id=case.id,
        actor=OLIVIA,
        outcome=Outcome.NO_ACTION_NEEDED,
        summary="Talked it through.",
        now=clock(),
    )
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, Outcome.NO_ACTION_NEEDED)
    assert ("reporter", "closed") in notifier.kinds()
    with pytest.raises(WorkflowError, match="is closed"):
        cases.assign_case(session, notifier, case_id=case.id, actor=OLIVIA, assignee_id="U0OMAR", now=clock())
    # A note for the record is still welcome on a closed case.
    cases.add_note(session, notifier, case_id=case.id, actor=OLIVIA, text="He apologized later.", now=clock())
    with pytest.raises(InvalidInput, match="why the case is reopened"):
        cases.reopen_case(session, notifier, case_id=case.id, actor=OLIVIA, reason="", now=clock())
    cases.reopen_case(session, notifier, case_id=case.id, actor=OLIVIA, reason="It happened again.", now=clock())
    assert case.status is CaseStatus.INVESTIGATING and case.outcome is None
    assert kinds(case)[-3:] == [TimelineKind.CLOSED, TimelineKind.NOTE, TimelineKind.REOPENED]


def test_a_reporter_who_declined_follow_up_is_not_messaged_or_told(session, clock, case):
    case.follow_up_allowed = False
    notifier = RecordingNotifier()
    with pytest.raises(WorkflowError, match="asked not to be contacted"):
        cases.message_reporter(session, notifier, case_id=case.id, actor=OLIVIA, text="hi", now=clock())
    cases.acknowledge_case(session, notifier, case_id=case.id, actor=OLIVIA, now=clock())
    cases.close_case(
        session, notifier, case_id=case.id, actor=OLIVIA, outcome=Outcome.WITHDRAWN, summary="s", now=clock()
    )
    assert [audience for audience, _ in notifier.kinds()].count("reporter") == 0
