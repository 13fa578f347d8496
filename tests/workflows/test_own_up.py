"""The own-up state machine, against a real session with a recording notifier and a fake clock:
which steps each state allows, who may take them, deadlines, and self-reports."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.enums import Category, OwnUpState, RecipientAnswer, ReminderKind, ReminderState
from db.models import Case, OwnUp, Reminder
from db.session import make_sessionmaker
from tests.workflows.recording import RecordingNotifier
from workflows import own_up as flow
from workflows.access import Actor
from workflows.errors import InvalidInput, NotAllowed, WorkflowError
from workflows.reminder_firing import fire_due_reminders
from workflows.reminders import ReminderPolicy, install_planning
from workflows.reports import ReportForm, submit_report
from workflows.routing import Channels, Membership, route_case

S = OwnUpState
POLICY = ReminderPolicy()
ORGANIZERS = frozenset({"U0OLIVIA", "U0OMAR"})
OLIVIA = Actor("U0OLIVIA", ORGANIZERS)
ALEX, BLAKE, CASEY = "U0ALEX", "U0BLAKE", "U0CASEY"
REPORT = "He filmed me at the hackathon dinner after I asked him to stop."
NEUTRAL = "Taking photos of attendees without asking them first."


def file(session, clock, *, involved=(BLAKE,), follow_up=True, apology=True, key="V1") -> Case:
    form = ReportForm(
        description=REPORT,
        category=Category.HARASSMENT,
        anonymous=False,
        follow_up_allowed=follow_up,
        apology_wanted=apology,
        involved_user_ids=involved,
    )
    case = submit_report(
        session, RecordingNotifier(), form=form, reporter_id=ALEX, submission_key=key, now=clock()
    ).case
    route_case(
        session,
        case_id=case.id,
        channels=Channels("C0ORGANIZE"),
        members=Membership(organizers=ORGANIZERS),
        now=clock(),
    )
    return case


def request(session, clock, case, *, subject=BLAKE, within=timedelta(days=3), notifier=None) -> OwnUp:
    return flow.request_own_up(
        session,
        notifier or RecordingNotifier(),
        case_id=case.id,
        actor=OLIVIA,
        subject_id=subject,
        description=NEUTRAL,
        coc_part="recording",
        reply_within=within,
        now=clock(),
    )


# Each step as the person it belongs to would take it.
STEPS = {
    "submit_apology": lambda s, n, o, now: flow.submit_apology(
        s, n, own_up_id=o.id, user_id=o.subject_id, acknowledgement="I did.", apology="Sorry.", change=None, now=now
    ),
    "talk_to_organizer": lambda s, n, o, now: flow.talk_to_organizer(
        s, n, own_up_id=o.id, user_id=o.subject_id, message="Can we talk?", now=now
    ),
    "see_differently": lambda s, n, o, now: flow.see_differently(
        s, n, own_up_id=o.id, user_id=o.subject_id, account="It wasn't like that.", now=now
    ),
    "deliver_apology": lambda s, n, o, now: flow.deliver_apology(
        s, n, own_up_id=o.id, case_id=o.case_id, actor=OLIVIA, now=now
    ),
    "ask_for_changes": lambda s, n, o, now: flow.ask_for_changes(
        s, n, own_up_id=o.id, case_id=o.case_id, actor=OLIVIA, note="Less excuses.", now=now
    ),
    "dont_deliver": lambda s, n, o, now: flow.dont_deliver(
        s, n, own_up_id=o.id, case_id=o.case_id, actor=OLIVIA, reason="Not sincere.", now=now
    ),
    "withdraw_own_up": lambda s, n, o, now: flow.withdraw_own_up(
        s, n, own_up_id=o.id, case_id=o.case_id, actor=OLIVIA, now=now
    ),
    "read_yes": lambda s, n, o, now: flow.answer_offer(
        s, n, own_up_id=o.id, user_id=o.recipient_id, wants_to_read=True, now=now
    ),
    "read_no": lambda s, n, o, now: flow.answer_offer(
        s, n, own_up_id=o.id, user_id=o.recipient_id, wants_to_read=False, now=now
    ),
    "respond_to_apology": lambda s, n, o, now: flow.respond_to_apology(
        s, n, own_up_id=o.id, user_id=o.recipient_id, answer=RecipientAnswer.RECEIVED, now=now
    ),
}

# How each state is reached, through the real steps ("deadline": the reply deadline passes).
PATHS = {
    S.REQUESTED: [],
    S.WANTS_TO_TALK: ["talk_to_organizer"],
    S.SEES_DIFFERENTLY: ["see_differently"],
    S.UNDER_REVIEW: ["submit_apology"],
    S.CHANGES_REQUESTED: ["submit_apology", "ask_for_changes"],
    S.AWAITING_CONSENT: ["submit_apology", "deliver_apology"],
    S.DELIVERED: ["submit_apology", "deliver_apology", "read_yes"],
    S.NOT_DELIVERED: ["submit_apology", "dont_deliver"],
    S.ACKNOWLEDGED: ["submit_apology", "deliver_apology", "read_yes", "respond_to_apology"],
    S.EXPIRED: ["deadline"],
    S.WITHDRAWN: ["withdraw_own_up"],
}

# The whole machine, written out: for each state, the steps it allows and where each leads.
# Every step not listed for a state is refused there.
REPLYING = {
    "submit_apology": S.UNDER_REVIEW,
    "talk_to_organizer": S.WANTS_TO_TALK,
    "see_differently": S.SEES_DIFFERENTLY,
    "withdraw_own_up": S.WITHDRAWN,
}
ALLOWED = {
    S.REQUESTED: REPLYING,
    S.WANTS_TO_TALK: REPLYING,
    S.CHANGES_REQUESTED: REPLYING,
    S.SEES_DIFFERENTLY: {"submit_apology": S.UNDER_REVIEW, "withdraw_own_up": S.WITHDRAWN},
    S.UNDER_REVIEW: {
        "deliver_apology": S.AWAITING_CONSENT,
        "ask_for_changes": S.CHANGES_REQUESTED,
        "dont_deliver": S.NOT_DELIVERED,
        "withdraw_own_up": S.WITHDRAWN,
    },
    S.AWAITING_CONSENT: {"read_yes": S.DELIVERED, "read_no": S.NOT_DELIVERED, "withdraw_own_up": S.WITHDRAWN},
    S.DELIVERED: {"respond_to_apology": S.ACKNOWLEDGED},
    S.NOT_DELIVERED: {},
    S.ACKNOWLEDGED: {},
    S.EXPIRED: {},
    S.WITHDRAWN: {},
}
COLUMNS = (
    "state",
    "updated_at",
    "acknowledgement",
    "apology",
    "change",
    "account",
    "review_note",
    "not_delivered_reason",
    "recipient_answer",
)


def reach(session, clock, case, state: OwnUpState) -> OwnUp:
    own_up = request(session, clock, case)
    for step in PATHS[state]:
        clock.advance(hours=1)
        if step == "deadline":
            clock.now = own_up.deadline_at
            fire_due_reminders(session, RecordingNotifier(), now=clock(), policy=POLICY)
        else:
            STEPS[step](session, RecordingNotifier(), own_up, clock())
    session.flush()
    assert own_up.state is state
    return own_up


def reminders(session, own_up) -> dict[ReminderKind, tuple]:
    rows = session.scalars(select(Reminder).where(Reminder.subject == flow.subject_key(own_up.id))).all()
    return {row.kind: (row.state, row.due_at) for row in rows}


def snapshot(session, case, own_up) -> tuple:
    return (
        tuple(getattr(own_up, column) for column in COLUMNS),
        [(entry.kind, entry.summary) for entry in case.timeline],
        reminders(session, own_up),
    )


def test_the_table_names_every_state_and_every_step():
    assert set(ALLOWED) == set(OwnUpState) == set(PATHS)
    assert all(set(steps) <= set(STEPS) for steps in ALLOWED.values())


@pytest.mark.parametrize(
    ("state", "step"),
    [(state, step) for state in OwnUpState for step in STEPS],
    ids=lambda value: str(value),
)
def test_each_state_allows_exactly_its_steps_and_refusals_change_nothing(session, clock, state, step):
    case = file(session, clock)
    own_up = reach(session, clock, case, state)
    before = snapshot(session, case, own_up)
    notifier = RecordingNotifier()
    clock.advance(minutes=5)

    if step in ALLOWED[state]:
        STEPS[step](session, notifier, own_up, clock())
        session.flush()
        assert own_up.state is ALLOWED[state][step]
        assert own_up.updated_at == clock()
        assert len(case.timeline) == len(before[1]) + 1
        assert case.timeline[-1].kind.value == "own_up"
        assert ("organizers", "thread_line") in notifier.kinds()
    else:
        with pytest.raises(WorkflowError, match="This can't be done now: the own-up request is") as refused:
            STEPS[step](session, notifier, own_up, clock())
        assert flow.STATE_WORDS[state] in str(refused.value)
        session.flush()
        assert snapshot(session, case, own_up) == before
        assert notifier.sent == []


@pytest.mark.parametrize("state", list(OwnUpState), ids=str)
def test_only_a_request_still_waiting_for_its_first_reply_is_nudged_and_expires(session, clock, state):
    """Once the person has answered in any way (or the organizers have ended it), the
    reminders about the request are gone and a late run of them changes nothing."""
    case = file(session, clock)
    own_up = reach(session, clock, case, state)
    before = snapshot(session, case, own_up)
    notifier = RecordingNotifier()

    clock.now = own_up.deadline_at + timedelta(hours=1)
    fire_due_reminders(session, notifier, now=clock(), policy=POLICY)
    session.flush()

    if state is S.REQUESTED:
        assert own_up.state is S.EXPIRED
        assert notifier.kinds() == [
            (f"person:{BLAKE}", "own_up_nudge"),
            ("organizers", "card_update"),
            ("organizers", "thread_line"),
        ]
    else:
        assert snapshot(session, case, own_up)[:2] == before[:2]
        assert notifier.sent == []
    assert all(reminder_state is ReminderState.DONE for reminder_state, _ in reminders(session, own_up).values())


def test_a_request_tells_the_person_by_id_only_and_schedules_its_nudge_and_deadline(session, clock):
    case = file(session, clock)
    notifier = RecordingNotifier()
    start = clock()

    own_up = request(session, clock, case, within=timedelta(days=3), notifier=notifier)

    assert (own_up.subject_id, own_up.recipient_id, own_up.requested_by) == (BLAKE, ALEX, "U0OLIVIA")
    assert (own_up.state, own_up.description, own_up.coc_part) == (S.REQUESTED, NEUTRAL, "recording")
    assert own_up.deadline_at == start + timedelta(days=3)
    assert notifier.kinds() == [
        ("organizers", "card_update"),
        ("organizers", "thread_line"),
        (f"person:{BLAKE}", "own_up_request"),
    ]
    # What reaches the person is a pointer; the DM is built from the request's own fields.
    assert notifier.sent[-1][3] == {"own_up_id": own_up.id}
    assert case.timeline[-1].body == NEUTRAL and REPORT not in case.timeline[-1].summary
    assert reminders(session, own_up) == {
        ReminderKind.OWN_UP_NUDGE: (ReminderState.PENDING, start + timedelta(days=2)),
        ReminderKind.OWN_UP_DEADLINE: (ReminderState.PENDING, start + timedelta(days=3)),
    }


@pytest.mark.parametrize(
    ("subject", "description", "within", "field", "message"),
    [
        (None, NEUTRAL, timedelta(days=1), "subject", "Choose one of the people named"),
        (CASEY, NEUTRAL, timedelta(days=1), "subject", "Choose one of the people named"),
        (ALEX, NEUTRAL, timedelta(days=1), "subject", "Choose one of the people named"),
        (BLAKE, "   ", timedelta(days=1), "description", "in neutral words"),
        (BLAKE, "x" * 3001, timedelta(days=1), "description", "under 3,000 characters"),
        (BLAKE, NEUTRAL, timedelta(0), "deadline", "Choose a reply deadline"),
    ],
)
def test_an_incomplete_request_gets_a_field_error_and_creates_nothing(
    session, clock, subject, description, within, field, message
):
    case = file(session, clock)
    notifier = RecordingNotifier()
    with pytest.raises(InvalidInput, match=message) as refused:
        flow.request_own_up(
            session,
            notifier,
            case_id=case.id,
            actor=OLIVIA,
            subject_id=subject,
            description=description,
            coc_part=None,
            reply_within=within,
            now=clock(),
        )
    assert refused.value.field == field
    assert case.own_ups == [] and notifier.sent == []


def test_one_open_request_per_person_but_a_new_one_after_the_last_ended(session, clock):
    case = file(session, clock, involved=(BLAKE, CASEY))
    first = request(session, clock, case)
    with pytest.raises(InvalidInput, match="already has an open own-up request"):
        request(session, clock, case)
    other = request(session, clock, case, subject=CASEY)
    STEPS["withdraw_own_up"](session, RecordingNotifier(), first, clock())

    again = request(session, clock, case)

    assert [(o.subject_id, o.state) for o in case.own_ups] == [
        (BLAKE, S.WITHDRAWN),
        (CASEY, S.REQUESTED),
        (BLAKE, S.REQUESTED),
    ]
    assert len({first.id, other.id, again.id}) == 3


def test_only_organizers_of_the_case_may_request_or_review(session, clock):
    case = file(session, clock)
    own_up = reach(session, clock, case, S.UNDER_REVIEW)
    before = snapshot(session, case, own_up)
    strangers = [Actor(CASEY, ORGANIZERS), Actor(BLAKE, ORGANIZERS | {BLAKE}), Actor(ALEX, ORGANIZERS)]
    for actor in strangers:
        with pytest.raises(NotAllowed):
            flow.request_own_up(
                session,
                RecordingNotifier(),
                case_id=case.id,
                actor=actor,
                subject_id=BLAKE,
                description=NEUTRAL,
                coc_part=None,
                reply_within=timedelta(days=1),
                now=clock(),
            )
        with pytest.raises(NotAllowed):
            flow.deliver_apology(
                session, RecordingNotifier(), own_up_id=own_up.id, case_id=case.id, actor=actor, now=clock()
            )
    # An organizer of another case can't reach this request through their own case's id.
    elsewhere = file(session, clock, involved=(CASEY,), key="V2")
    with pytest.raises(WorkflowError, match="doesn't exist"):
        flow.deliver_apology(
            session, RecordingNotifier(), own_up_id=own_up.id, case_id=elsewhere.id, actor=OLIVIA, now=clock()
        )
    assert snapshot(session, case, own_up) == before


@pytest.mark.parametrize(
    ("state", "step", "who"),
    [
        (S.REQUESTED, "submit_apology", CASEY),
        (S.REQUESTED, "submit_apology", ALEX),
        (S.REQUESTED, "talk_to_organizer", CASEY),
        (S.REQUESTED, "see_differently", ALEX),
        (S.AWAITING_CONSENT, "read_yes", BLAKE),
        (S.AWAITING_CONSENT, "read_no", CASEY),
        (S.DELIVERED, "respond_to_apology", BLAKE),
    ],
)
def test_only_the_person_a_message_was_sent_to_can_answer_it(session, clock, state, step, who):
    case = file(session, clock)
    own_up = reach(session, clock, case, state)
    before = snapshot(session, case, own_up)
    notifier = RecordingNotifier()

    # The same step, as someone else: the ids in the request are theirs to point at, not to use.
    impostor = type(
        "Impostor", (), {"id": own_up.id, "case_id": own_up.case_id, "subject_id": who, "recipient_id": who}
    )
    with pytest.raises(NotAllowed, match="Only the person this message was sent to"):
        STEPS[step](session, notifier, impostor, clock())

    assert snapshot(session, case, own_up) == before and notifier.sent == []


@pytest.mark.parametrize(("follow_up", "apology"), [(False, True), (True, False), (False, False)])
def test_an_apology_is_never_offered_to_a_reporter_who_declined(session, clock, follow_up, apology):
    case = file(session, clock, follow_up=follow_up, apology=apology)
    own_up = reach(session, clock, case, S.UNDER_REVIEW)
    before = snapshot(session, case, own_up)
    notifier = RecordingNotifier()

    with pytest.raises(WorkflowError, match="use Don't deliver instead"):
        STEPS["deliver_apology"](session, notifier, own_up, clock())

    assert snapshot(session, case, own_up) == before and notifier.sent == []
    STEPS["dont_deliver"](session, notifier, own_up, clock())
    assert own_up.state is S.NOT_DELIVERED
    assert not any(audience == f"person:{ALEX}" for audience, _ in notifier.kinds())


def test_who_hears_what_through_a_delivery(session, clock):
    case = file(session, clock)
    own_up = request(session, clock, case)
    heard = []
    for step in ["submit_apology", "deliver_apology", "read_yes", "respond_to_apology"]:
        notifier = RecordingNotifier()
        STEPS[step](session, notifier, own_up, clock())
        heard.append([(audience, kind) for audience, kind in notifier.kinds() if audience != "organizers"])
    assert heard == [
        [],
        [(f"person:{ALEX}", "apology_offer")],
        [(f"person:{ALEX}", "apology_delivered"), (f"person:{BLAKE}", "own_up_delivered_notice")],
        [],  # "Received": blake learns only that it was delivered
    ]
    assert own_up.recipient_answer is RecipientAnswer.RECEIVED


def test_accepting_tells_the_person_and_saying_no_tells_nobody(session, clock):
    case = file(session, clock, involved=(BLAKE, CASEY))
    accepted = reach(session, clock, case, S.DELIVERED)
    notifier = RecordingNotifier()
    flow.respond_to_apology(
        session, notifier, own_up_id=accepted.id, user_id=ALEX, answer=RecipientAnswer.ACCEPT, now=clock()
    )
    assert (f"person:{BLAKE}", "own_up_accepted_notice") in notifier.kinds()

    declined = request(session, clock, case, subject=CASEY)
    for step in ["submit_apology", "deliver_apology"]:
        STEPS[step](session, RecordingNotifier(), declined, clock())
    notifier = RecordingNotifier()
    STEPS["read_no"](session, notifier, declined, clock())
    assert [audience for audience, _ in notifier.kinds()] == ["organizers", "organizers"]
    assert declined.not_delivered_reason == "The reporter preferred not to read it."


@pytest.fixture
def sessions(clean_db, clock):
    sessions = make_sessionmaker(clean_db)
    install_planning(sessions, POLICY, clock)
    return sessions


def test_a_one_day_request_is_nudged_then_expires_and_tells_the_thread(sessions, clock):
    """Committed transactions, as the app runs them, with the case's own reminders planned too."""
    with sessions.begin() as session:
        case = file(session, clock)
        case_id = case.id
        own_up_id = request(session, clock, case, within=timedelta(days=1)).id
    start = clock()

    def fire() -> list[tuple[str, str, dict]]:
        notifier = RecordingNotifier()
        with sessions.begin() as session:
            fire_due_reminders(session, notifier, now=clock(), policy=POLICY)
        return [(audience, kind, payload) for audience, _, kind, payload in notifier.sent if kind != "ack_reminder"]

    clock.advance(hours=11, minutes=59)
    assert fire() == []
    clock.advance(minutes=2)  # half the time left: the nudge
    assert fire() == [(f"person:{BLAKE}", "own_up_nudge", {"own_up_id": own_up_id})]
    assert fire() == []  # once
    clock.advance(hours=12)  # past the deadline
    sent = fire()

    assert [(audience, kind) for audience, kind, _ in sent] == [
        ("organizers", "card_update"),
        ("organizers", "thread_line"),
    ]
    with sessions.begin() as session:
        own_up = session.get(OwnUp, own_up_id)
        assert own_up.state is S.EXPIRED and own_up.deadline_at == start + timedelta(days=1)
        entry = session.get(Case, case_id).timeline[-1]
        assert entry.summary == f"No reply from <@{BLAKE}> by the deadline"
        assert entry.actor_id is None
    assert fire() == []

    # Too late: nothing more can come of it.
    notifier = RecordingNotifier()
    with pytest.raises(WorkflowError, match="no reply by the deadline"), sessions.begin() as session:
        flow.submit_apology(
            session,
            notifier,
            own_up_id=own_up_id,
            user_id=BLAKE,
            acknowledgement="I did it.",
            apology="Sorry.",
            change=None,
            now=clock(),
        )
    with sessions.begin() as session:
        own_up = session.get(OwnUp, own_up_id)
        assert (own_up.state, own_up.apology) == (S.EXPIRED, None)
    assert notifier.sent == []


def test_answering_in_time_cancels_the_nudge_and_the_deadline(sessions, clock):
    with sessions.begin() as session:
        case = file(session, clock)
        own_up = request(session, clock, case, within=timedelta(days=1))
        STEPS["submit_apology"](session, RecordingNotifier(), own_up, clock())
    clock.advance(days=2)
    notifier = RecordingNotifier()
    with sessions.begin() as session:
        fire_due_reminders(session, notifier, now=clock(), policy=POLICY)
        assert session.get(OwnUp, own_up.id).state is S.UNDER_REVIEW
    assert not any(kind.startswith("own_up") for _, kind in notifier.kinds())


def test_two_requests_on_one_case_keep_their_own_deadlines(session, clock):
    case = file(session, clock, involved=(BLAKE, CASEY))
    blake = request(session, clock, case, within=timedelta(days=1))
    casey = request(session, clock, case, subject=CASEY, within=timedelta(days=7))
    STEPS["see_differently"](session, RecordingNotifier(), casey, clock())

    clock.advance(days=1, minutes=1)
    fire_due_reminders(session, RecordingNotifier(), now=clock(), policy=POLICY)

    assert (blake.state, casey.state) == (S.EXPIRED, S.SEES_DIFFERENTLY)


def test_a_self_report_becomes_a_case_with_an_apology_for_review_per_person(session, clock):
    notifier = RecordingNotifier()
    case = flow.submit_self_report(
        session,
        notifier,
        user_id=CASEY,
        what="I made a joke about accents.",
        affected_ids=(ALEX, BLAKE, ALEX),
        apology="I'm sorry for the joke.",
        submission_key="V9",
        now=clock(),
    )

    assert case.self_report and case.reporter.slack_user_id == CASEY
    assert sorted(p.slack_user_id for p in case.involved) == sorted([ALEX, BLAKE, CASEY])
    assert [(o.subject_id, o.recipient_id, o.state, o.requested_by) for o in case.own_ups] == [
        (CASEY, ALEX, S.UNDER_REVIEW, None),
        (CASEY, BLAKE, S.UNDER_REVIEW, None),
    ]
    assert [kind for _, kind in notifier.kinds()].count("own_up_review") == 2
    assert ("reporter", "self_report_receipt") in notifier.kinds()
    assert not any(audience.startswith("person:") for audience, _ in notifier.kinds())  # nobody asked yet
    again = flow.submit_self_report(
        session,
        RecordingNotifier(),
        user_id=CASEY,
        what="A double click.",
        affected_ids=(ALEX,),
        apology="Sorry.",
        submission_key="V9",
        now=clock(),
    )
    assert again.id == case.id and len(case.own_ups) == 2


@pytest.mark.parametrize(
    ("affected", "apology", "field"),
    [((CASEY,), None, "affected"), ((), "Sorry.", "affected"), ((ALEX,), "x" * 3001, "apology")],
)
def test_a_self_report_that_breaks_a_rule_is_refused(session, clock, affected, apology, field):
    with pytest.raises(InvalidInput) as refused:
        flow.submit_self_report(
            session,
            RecordingNotifier(),
            user_id=CASEY,
            what="Something I did.",
            affected_ids=affected,
            apology=apology,
            submission_key="V9",
            now=clock(),
        )
    assert refused.value.field == field
    assert session.scalar(select(Case)) is None


def test_a_self_report_without_an_apology_asks_nobody(session, clock):
    notifier = RecordingNotifier()
    case = flow.submit_self_report(
        session,
        notifier,
        user_id=CASEY,
        what="I was rude in a thread.",
        affected_ids=(ALEX,),
        apology="  ",
        submission_key="V9",
        now=clock(),
    )
    assert case.own_ups == []
    assert "own_up_review" not in [kind for _, kind in notifier.kinds()]


def test_whoever_made_a_self_report_is_not_asked_to_own_up_again(session, clock):
    case = flow.submit_self_report(
        session,
        RecordingNotifier(),
        user_id=CASEY,
        what="I was rude in a thread.",
        affected_ids=(ALEX,),
        apology=None,
        submission_key="V9",
        now=clock(),
    )
    route_case(
        session,
        case_id=case.id,
        channels=Channels("C0ORGANIZE"),
        members=Membership(organizers=ORGANIZERS),
        now=clock(),
    )
    notifier = RecordingNotifier()

    with pytest.raises(InvalidInput, match="made this report themselves") as refused:
        request(session, clock, case, subject=CASEY, notifier=notifier)

    assert refused.value.field == "subject"
    assert case.own_ups == [] and notifier.sent == []


def test_closing_a_case_withdraws_its_open_requests_and_tells_the_person(session, clock):
    from db.enums import Outcome
    from workflows import cases

    case = file(session, clock)
    own_up = request(session, clock, case)
    notifier = RecordingNotifier()
    cases.close_case(
        session,
        notifier,
        case_id=case.id,
        actor=OLIVIA,
        outcome=Outcome.UNRESOLVED,
        summary="The person left the event.",
        now=clock(),
    )

    assert own_up.state is OwnUpState.WITHDRAWN
    assert (f"person:{BLAKE}", "own_up_withdrawn") in notifier.kinds()
    with pytest.raises(WorkflowError):
        flow.submit_apology(
            session,
            RecordingNotifier(),
            own_up_id=own_up.id,
            user_id=BLAKE,
            acknowledgement="a",
            apology="b",
            change=None,
            now=clock(),
        )
