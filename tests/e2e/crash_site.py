"""A site for crash tests: the stand-in, a tap in front of it, ``speakout serve`` processes on one
database, and the two ways the tests choose the moment of death.

* "Answered, not yet delivered" (``refuse_messages``): the stand-in refuses ``chat.postMessage``
  and ``chat.update`` (HTTP 500, retried later) until after the kill, so nothing the step caused
  can have reached Slack when the process dies, whenever the kill lands.
* "In flight" (``kill_in_flight``): the stand-in posts the next message for a conversation at
  once and holds its answer back (``fail(answer_delay=...)``); the process is killed once Slack
  has the message. Slack has accepted a message from a process that never recorded it.

A restart moves no lease: the new process must find the dead one's claims by itself.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.enums import OutboxState
from db.health_queries import health
from db.models import Case, OutboxMessage, ReceivedReport
from slack_app.delivery.claims import Claimer
from slack_app.sandbox.loopback import ORGANIZERS
from slack_app.sandbox.stand_in import Message, Response, SlackStandIn
from slack_app.sandbox.transcript import message_text
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.e2e.helpers import FILLED, eventually
from tests.e2e.serve_processes import Serve, WebApiTap, serve_env

ALEX, BLAKE = "U0PARTIC01", "U0PARTIC02"
OLIVIA, OMAR = "U0ORGANIZ1", "U0ORGANIZ2"
DESCRIPTION = "He followed me back to the hotel after the workshop and kept knocking on my door."
HELD_ANSWER = 9.0  # seconds Slack sits on its answer: less than the app's 10 s timeout

# The longest stall seen per kill point, until the restarted process has emptied the outbox:
# from its start, and from its answering /healthz (printed and recorded as test properties;
# never asserted: the tests assert that no dead process's claim remains instead).
STALLS: dict[str, tuple[float, float]] = {}


@dataclass
class Site:
    """The stand-in, a tap in front of it, and the ``speakout serve`` processes on one database."""

    directory: Path
    stand_in: SlackStandIn
    tap: WebApiTap
    database_url: str
    engine: Engine
    processes: list[Serve] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = serve_env(
            self.directory,
            self.stand_in,
            self.tap.url,
            self.database_url,
            ORGANIZER_CHANNEL_ID=ORGANIZERS,
            ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
            # The crash scenarios follow every message of a case, the report's details included.
            REPORT_WORDS="in_thread",
        )

    def start(self) -> Serve:
        self.processes.append(Serve(self.directory, f"serve-{len(self.processes) + 1}", self.env, self.stand_in))
        return self.processes[-1].wait_until_healthy()

    def restart(self) -> Serve:
        """Start again once every earlier process is dead, touching nothing they left behind.
        By the time it answers /healthz, no claim of a dead process holds any message."""
        assert all(process.process.poll() is not None for process in self.processes)
        process = self.start()
        assert claims_by_the_dead(self.engine, live={process.process.pid}) == []
        return process

    def refuse_messages(self) -> None:
        for method in ("chat.postMessage", "chat.update"):
            self.stand_in.fail(method, error="internal_error", status=500, times=None)

    def kill_in_flight(self, process: Serve, channel: str, act: Callable[[], object], *, skip: int = 0) -> Message:
        """Do ``act``; kill ``process`` once Slack has posted (but not yet answered) the next
        ``chat.postMessage`` for ``channel`` after ``skip`` others there. Returns that message."""
        for _ in range(skip):
            self.stand_in.fail("chat.postMessage", error=None, times=1, channel=channel)
        self.stand_in.fail("chat.postMessage", error=None, answer_delay=HELD_ANSWER, times=1, channel=channel)
        before = len(self.stand_in.messages(channel))
        act()
        posted = self.stand_in.wait_for(
            lambda: len(now := self.stand_in.messages(channel)) > before + skip and now[before + skip],
            timeout=15,
            what=f"Slack to take the message for {channel}",
        )
        process.kill()
        # Slack has it; the outbox does not know: the row is pending, claimed by the dead process.
        assert claims_by_the_dead(self.engine, live=set()), "the kill came too late: the post was recorded"
        return posted

    def resume(self, point: str, record_property: Callable[[str, object], None] | None = None) -> Serve:
        """Restart and wait for the outbox to drain; note how long that took, from the new
        process starting and from it answering /healthz (it may have drained by then)."""
        self.stand_in.clear_failures()
        started = time.monotonic()
        process = self.restart()
        healthy = time.monotonic()
        wait_until_delivered(self.engine, process)
        drained = time.monotonic()
        stall = (drained - started, max(0.0, drained - healthy))
        STALLS[point] = max(stall, STALLS.get(point, (0.0, 0.0)))
        print(f"\nstall after restart [{point}]: {stall[0]:.2f} s from start, {stall[1]:.2f} s from healthy")
        if record_property is not None:
            record_property("stall_from_start_seconds", round(stall[0], 3))
            record_property("stall_from_healthy_seconds", round(stall[1], 3))
        return process


# -- what is stored -----------------------------------------------------------------------------


def claims_by_the_dead(engine: Engine, live: set[int]) -> list[str]:
    """Claims on unsent messages held by a process not in ``live`` (all of them here run on this host)."""
    with Session(engine) as session:
        holders = session.scalars(
            select(OutboxMessage.claimed_by).where(
                OutboxMessage.state == OutboxState.PENDING, OutboxMessage.claimed_by.is_not(None)
            )
        ).all()
    return [holder for holder in holders if (claimer := Claimer.parse(holder)) is None or claimer.pid not in live]


def unsent(engine: Engine) -> list[tuple[str, bool]]:
    """The outbox messages not sent yet, in order, and whether a process holds a claim on each."""
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxMessage.kind, OutboxMessage.claimed_by)
            .where(OutboxMessage.state == OutboxState.PENDING)
            .order_by(OutboxMessage.id)
        ).all()
    return [(kind, claimed_by is not None) for kind, claimed_by in rows]


def stored_received_reports(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ReceivedReport))


def cases_in(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Case))


def the_case(engine: Engine):
    with Session(engine) as session:
        return session.execute(
            select(Case.id, Case.number, Case.card_ts, Case.acknowledged_by, Case.reporter_dm_ts)
        ).one()


def wait_until_delivered(engine: Engine, process: Serve) -> None:
    def drained() -> bool:
        assert process.process.poll() is None, process.output()
        with Session(engine) as session:
            state = health(session)
        assert state.outbox_failed == 0, unsent(engine)
        return state.outbox_pending == 0 and state.reports_waiting == 0

    eventually(drained, timeout=30, what="the process to deliver the outbox")


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
