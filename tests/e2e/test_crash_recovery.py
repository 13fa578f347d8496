"""``speakout serve`` killed with SIGKILL (no shutdown code runs) at each step of a case, then
started again on the same database: no committed report is lost, and nothing reaches anyone
twice except the one message Slack had accepted when the process died (the README's "At least
once": Slack's Web API has no idempotency keys).

Two tools make the moment of death deterministic:

* "Answered, not yet delivered": the stand-in refuses ``chat.postMessage`` and ``chat.update``
  (HTTP 500, retried later by the outbox) from just before the step until after the kill, so
  nothing the step caused can have reached Slack when the process dies, whenever the kill lands.
* "In flight": the stand-in answers the next ``chat.postMessage`` slowly, and the process is
  killed once that call has *arrived* (seen by ``WebApiTap``; the stand-in itself records a call
  only once it has answered it). Slack then accepts the message from a dead process.

A message the dead process had claimed stays leased for a minute (``slack_app.delivery.dispatcher.LEASE``)
so that no other process sends it meanwhile. Rather than wait that minute out, ``restart``
moves such leases a minute into the past, as the clock would, before starting the new process.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.enums import Category, OutboxState
from db.health_queries import health
from db.models import Case, OutboxMessage, ReceivedReport
from slack_app.delivery.claims import LEASE
from slack_app.sandbox.loopback import ORGANIZERS
from slack_app.sandbox.stand_in import Message, Response, SlackStandIn
from slack_app.sandbox.transcript import message_text
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.e2e.helpers import FILLED, eventually
from tests.e2e.serve_processes import Serve, WebApiTap, serve_env
from workflows.intake import receive_report
from workflows.reports import ReportForm

ALEX, BLAKE = "U0PARTIC01", "U0PARTIC02"
OLIVIA, OMAR = "U0ORGANIZ1", "U0ORGANIZ2"
DESCRIPTION = "He followed me back to the hotel after the workshop and kept knocking on my door."
APOLOGY = "I am sorry I followed you; I should have taken no for an answer."


class Site:
    """The stand-in, a tap in front of it, and the ``speakout serve`` processes on one database."""

    def __init__(self, directory: Path, stand_in: SlackStandIn, tap: WebApiTap, database_url: str, engine: Engine):
        self.directory = directory
        self.stand_in = stand_in
        self.tap = tap
        self.engine = engine
        self.env = serve_env(
            directory,
            stand_in,
            tap.url,
            database_url,
            ORGANIZER_CHANNEL_ID=ORGANIZERS,
            ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        )
        self.processes: list[Serve] = []

    def start(self) -> Serve:
        self.processes.append(Serve(self.directory, f"serve-{len(self.processes) + 1}", self.env, self.stand_in))
        return self.processes[-1].wait_until_healthy()

    def restart(self) -> Serve:
        """Start again once every earlier process is dead, their leases run out."""
        assert all(process.process.poll() is not None for process in self.processes)
        let_leases_run_out(self.engine)
        return self.start()

    def refuse_messages(self) -> None:
        for method in ("chat.postMessage", "chat.update"):
            self.stand_in.fail(method, error="internal_error", status=500, times=None)


@pytest.fixture
def site(tmp_path: Path, database_url: str, clean_db: Engine) -> Iterator[Site]:
    with SlackStandIn() as stand_in, WebApiTap(stand_in) as tap:
        for user_id, name in ((ALEX, "alex"), (BLAKE, "blake"), (OLIVIA, "olivia"), (OMAR, "omar")):
            stand_in.add_user(user_id, name)
        stand_in.add_channel(ORGANIZERS, "coc-organizers", members=[OLIVIA, OMAR])
        crash_site = Site(tmp_path, stand_in, tap, database_url, clean_db)
        try:
            yield crash_site
        finally:
            for process in crash_site.processes:
                process.stop()


# -- what is stored -----------------------------------------------------------------------------


def let_leases_run_out(engine: Engine) -> int:
    """Move the leases of unsent messages a minute back; returns how many there were."""
    with Session(engine) as session, session.begin():
        leased = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.state == OutboxState.PENDING, OutboxMessage.claimed_until.is_not(None)
            )
        ).all()
        for message in leased:
            message.claimed_until -= LEASE
        return len(leased)


def unsent(engine: Engine) -> list[tuple[str, bool]]:
    """The outbox messages not sent yet, in order, and whether a process holds a lease on each."""
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxMessage.kind, OutboxMessage.claimed_until)
            .where(OutboxMessage.state == OutboxState.PENDING)
            .order_by(OutboxMessage.id)
        ).all()
    return [(kind, claimed_until is not None) for kind, claimed_until in rows]


def stored_received_reports(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ReceivedReport))


def cases_in(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Case))


def the_case(engine: Engine):
    with Session(engine) as session:
        return session.execute(select(Case.id, Case.number, Case.card_ts, Case.acknowledged_by)).one()


def wait_until_delivered(engine: Engine, process: Serve) -> None:
    def drained() -> bool:
        assert process.process.poll() is None, process.output()
        with Session(engine) as session:
            state = health(session)
        assert state.outbox_failed == 0, unsent(engine)
        return state.outbox_pending == 0 and state.reports_waiting == 0

    eventually(drained, timeout=20, what="the restarted process to deliver the outbox")


# -- what people see ----------------------------------------------------------------------------


def text(stand_in: SlackStandIn, message: Message) -> str:
    def name(slack_id: str) -> str:
        known = stand_in.user(slack_id) or stand_in.channel(slack_id)
        return known["name"] if known else slack_id

    return message_text(message.to_dict(), name)


def cards(stand_in: SlackStandIn) -> list[Message]:
    return [message for message in stand_in.messages(ORGANIZERS) if message.thread_ts is None]


def replies(stand_in: SlackStandIn, card: Message, containing: str) -> list[str]:
    return [said for message in stand_in.thread(ORGANIZERS, card.ts) if containing in (said := text(stand_in, message))]


def dms(stand_in: SlackStandIn, user_id: str, containing: str) -> list[str]:
    return [said for message in stand_in.dms_to(user_id) if containing in (said := text(stand_in, message))]


def sent_twice(stand_in: SlackStandIn) -> list[str]:
    """Messages that reached the same place more than once."""
    seen = Counter((m.channel, m.thread_ts, text(stand_in, m)) for m in stand_in.messages() if not m.ephemeral_for)
    return [said for (_channel, _thread, said), count in seen.items() if count > 1]


def file_report(process: Serve, stand_in: SlackStandIn, **values) -> Response:
    assert process.slack.slash_command(ALEX, "/report").status == 200
    stand_in.wait_for(lambda: stand_in.open_view(ALEX), timeout=10, what="the report modal")
    answer = process.slack.submit_view(ALEX, {**FILLED, "description": DESCRIPTION, **values})
    assert answer.slack_error is None and answer.response_action == "update", answer.body
    return answer


def wait_for_modal(stand_in: SlackStandIn, user_id: str, title: str) -> dict:
    return stand_in.wait_for(
        lambda: (view := stand_in.open_view(user_id)) and view["title"]["text"] == title and view,
        timeout=10,
        what=f"the {title!r} modal",
    )


# -- the tests ----------------------------------------------------------------------------------


def test_a_report_answered_just_before_the_crash_reaches_everyone_once_after_the_restart(site: Site):
    first = site.start()
    site.refuse_messages()
    file_report(first, site.stand_in)
    first.kill()

    # Killed before or after it opened the case: either way the whole report is kept.
    received = stored_received_reports(site.engine)
    if received:
        assert received == 1 and cases_in(site.engine) == 0 and unsent(site.engine) == []
    else:
        case = the_case(site.engine)
        assert case.number == 1 and case.card_ts is None
        assert [kind for kind, _ in unsent(site.engine)] == ["case_card", "case_details", "receipt"]
    assert site.stand_in.messages() == []

    site.stand_in.clear_failures()
    second = site.restart()
    wait_until_delivered(site.engine, second)

    (card,) = cards(site.stand_in)
    assert "CoC-0001" in text(site.stand_in, card)
    assert the_case(site.engine).card_ts == card.ts
    assert len(replies(site.stand_in, card, DESCRIPTION)) == 1
    assert len(dms(site.stand_in, ALEX, "We've received your report *CoC-0001*")) == 1
    assert sent_twice(site.stand_in) == []


def test_a_report_received_by_a_process_that_died_before_opening_it_is_opened_by_the_next(site: Site):
    # What a process leaves when it dies between answering Slack and opening the case: the
    # received report, stored by the same workflow its listener runs.
    with Session(site.engine) as session, session.begin():
        receive_report(
            session,
            form=ReportForm(
                description=DESCRIPTION,
                category=Category.HARASSMENT,
                anonymous=True,
                follow_up_allowed=True,
                apology_wanted=False,
            ),
            reporter_id=ALEX,
            submission_key="V0DIEDBEFOREOPENING",
            now=datetime.now(UTC),
        )

    process = site.restart()
    wait_until_delivered(site.engine, process)

    (card,) = cards(site.stand_in)
    assert "CoC-0001" in text(site.stand_in, card) and "@alex" not in text(site.stand_in, card)
    assert len(replies(site.stand_in, card, DESCRIPTION)) == 1
    assert len(dms(site.stand_in, ALEX, "We've received your report *CoC-0001*")) == 1
    assert stored_received_reports(site.engine) == 0


def test_the_card_in_flight_when_the_process_dies_may_repeat_but_nothing_else_does(site: Site):
    first = site.start()
    # The card is slow, then accepted; only the card: the receipt goes out on its own stream meanwhile.
    site.stand_in.fail("chat.postMessage", error=None, delay=5.0, times=1, channel=ORGANIZERS)
    file_report(first, site.stand_in)
    site.tap.wait_for(
        lambda call: (
            call.method == "chat.postMessage"
            and call.params.get("channel") == ORGANIZERS
            and not call.params.get("thread_ts")
        ),
        timeout=10,
        what="the case card",
    )
    # Killed while only the card is in flight: the receipt, sent in parallel, is recorded first
    # (a message killed between Slack's answer and its record is the one that may repeat).
    eventually(lambda: "receipt" not in {kind for kind, _ in unsent(site.engine)}, timeout=4, what="the receipt")
    first.kill()

    (accepted,) = site.stand_in.wait_for(lambda: cards(site.stand_in), timeout=10, what="Slack to accept the card")
    # The card's stream stopped behind it; the receipt's own stream may have gone out meanwhile.
    assert unsent(site.engine)[:2] == [("case_card", True), ("case_details", False)]

    second = site.restart()
    wait_until_delivered(site.engine, second)

    assert cards(site.stand_in)[0].ts == accepted.ts
    assert len(cards(site.stand_in)) == 2, "the card Slack accepted from the dead process goes out again"
    recorded = cards(site.stand_in)[1]
    assert text(site.stand_in, recorded) == text(site.stand_in, accepted)
    assert the_case(site.engine).card_ts == recorded.ts
    assert replies(site.stand_in, accepted, "") == []
    assert len(replies(site.stand_in, recorded, DESCRIPTION)) == 1
    assert len(dms(site.stand_in, ALEX, "We've received your report *CoC-0001*")) == 1
    assert sent_twice(site.stand_in) == [text(site.stand_in, accepted)]


def test_an_acknowledgement_answered_before_the_crash_shows_on_the_card_after_the_restart(site: Site):
    first = site.start()
    file_report(first, site.stand_in)
    wait_until_delivered(site.engine, first)
    (card,) = cards(site.stand_in)
    assert "*Acknowledged*: Not yet" in text(site.stand_in, card)

    site.refuse_messages()
    clicked = first.slack.block_action(OLIVIA, "case_acknowledge", message=card, channel_id=ORGANIZERS)
    assert clicked.status == 200
    # Slack gets its answer first; the click is stored just after.
    eventually(lambda: the_case(site.engine).acknowledged_by == OLIVIA, what="the acknowledgement to be stored")
    first.kill()

    assert {"card_update", "acknowledged"} <= {kind for kind, _ in unsent(site.engine)}
    assert "*Acknowledged*: Not yet" in text(site.stand_in, site.stand_in.message(ORGANIZERS, card.ts))

    site.stand_in.clear_failures()
    second = site.restart()
    wait_until_delivered(site.engine, second)

    now = text(site.stand_in, site.stand_in.message(ORGANIZERS, card.ts))
    assert "*Status*: Acknowledged" in now and "*Acknowledged*: @olivia" in now, now
    assert len([call for call in site.stand_in.calls_to("chat.update") if not call.failed]) == 1
    assert len(dms(site.stand_in, ALEX, "An organizer has read your report CoC-0001")) == 1
    assert len(replies(site.stand_in, card, "@olivia · acknowledged the case")) == 1
    assert sent_twice(site.stand_in) == []


def test_an_apology_answered_before_the_crash_reaches_the_organizers_once_after_the_restart(site: Site):
    stand_in = site.stand_in
    first = site.start()
    file_report(first, stand_in, involved=[BLAKE])
    wait_until_delivered(site.engine, first)
    (card,) = cards(stand_in)
    first.slack.block_action(OLIVIA, "case_request_own_up", message=card, channel_id=ORGANIZERS)
    wait_for_modal(stand_in, OLIVIA, "Request own-up")
    asked = first.slack.submit_view(
        OLIVIA, {"subject": BLAKE, "description": "Following people.", "coc_part": "harassment", "deadline": "3d"}
    )
    assert asked.slack_error is None, asked.body
    (request,) = stand_in.wait_for(lambda: stand_in.dms_to(BLAKE), timeout=10, what="the own-up request to Blake")
    # The thread note about the request goes out on the card's stream: let it be recorded as
    # sent, or the kill below could catch it in flight and it would (rightly) go out twice.
    wait_until_delivered(site.engine, first)
    first.slack.block_action(BLAKE, "own_up_apologize", message=request, channel_id=request.channel)
    wait_for_modal(stand_in, BLAKE, "Own up")

    site.refuse_messages()
    answer = first.slack.submit_view(
        BLAKE, {"acknowledgement": "I followed her.", "apology": APOLOGY, "change": "I will take no for an answer."}
    )
    assert answer.status == 200 and answer.slack_error is None and stand_in.open_view(BLAKE) is None
    first.kill()

    assert "own_up_review" in {kind for kind, _ in unsent(site.engine)}
    assert replies(stand_in, card, APOLOGY) == []

    stand_in.clear_failures()
    second = site.restart()
    wait_until_delivered(site.engine, second)

    (review,) = replies(stand_in, card, APOLOGY)
    assert "@blake owned up" in review and "[Deliver]" in review
    assert sent_twice(stand_in) == []
