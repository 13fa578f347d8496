"""A complete Speak Out on loopback: the real app, server and database, with the stand-in
for Slack's servers. ``speakout demo`` runs on it, and so do the end-to-end tests."""

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType

from db.crypto import generate_key
from slack_app.bolt.app import build_app
from slack_app.bolt.web import BackgroundServer, make_socket_mode_wsgi_app, make_wsgi_app
from slack_app.core.services import Clock, Services, utc_now
from slack_app.core.settings import Settings, load_settings
from slack_app.runtime.scheduler import Scheduler
from slack_app.runtime.socket_mode import SocketModeHandler
from slack_app.runtime.wiring import build_services
from slack_app.sandbox.stand_in import SlackRequests, SlackStandIn

TRANSPORTS = ("http", "socket")
"""How Slack's requests reach the app: signed HTTP POSTs, or envelopes over Socket Mode."""

ORGANIZERS = "C0ORGANIZE"
ESCALATION = "C0ESCALATE"
GENERAL = "C0GENERAL1"


@dataclass
class Person:
    user_id: str
    name: str


@dataclass
class Cast:
    """The people of the demo and the tests."""

    organizers: list[Person] = field(
        default_factory=lambda: [Person("U0ORGANIZ1", "olivia"), Person("U0ORGANIZ2", "omar")]
    )
    lead: Person = field(default_factory=lambda: Person("U0LEADORG1", "lena"))
    participants: list[Person] = field(
        default_factory=lambda: [
            Person("U0PARTIC01", "alex"),
            Person("U0PARTIC02", "blake"),
            Person("U0PARTIC03", "casey"),
        ]
    )


class TrackedExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, able to say when every listener has finished (the work done
    after Slack's acknowledgement), so the demo and tests wait on that instead of guessing."""

    def __init__(self, max_workers: int):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._running = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._idle:
            self._running += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self._idle:
            self._running -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._running == 0, timeout):
                raise TimeoutError(f"listeners still running after {timeout}s")


class LocalSpeakOut:
    """Start with ``with LocalSpeakOut(database_url) as local:``; everything stops on exit.

    ``transport="socket"`` runs the app in Socket Mode: it connects to the stand-in's
    WebSocket, ``local.slack`` delivers envelopes over it, and ``local.server`` serves only
    ``/healthz``, as ``speakout serve --socket-mode`` does.
    """

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock = utc_now,
        escalation: bool = True,
        latency: float = 0.0,
        env: dict[str, str] | None = None,
        start_outbox: bool = True,
        scheduler: bool = False,
        rate_limits: bool = True,
        transport: str = "http",
    ):
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.transport = transport
        self.cast = Cast()
        # Slack's rate limits apply, as in a real workspace; off only for tests that need speed.
        self.stand_in = SlackStandIn(latency=latency, rate_limits=rate_limits)
        self.signing_secret = secrets.token_hex(16)
        self.encryption_key = (env or {}).get("ENCRYPTION_KEY") or generate_key()
        self._database_url = database_url
        self._clock = clock
        self._escalation = escalation
        self._env = env or {}
        self._start_outbox = start_outbox
        self._run_scheduler = scheduler
        self.scheduler: Scheduler | None = None
        self.settings: Settings
        self.services: Services
        self.server: BackgroundServer
        self.slack: SlackRequests
        self.socket: SocketModeHandler | None = None

    def __enter__(self) -> "LocalSpeakOut":
        self.stand_in.start()
        self._populate_workspace()
        env = {
            "SLACK_BOT_TOKEN": self.stand_in.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_API_URL": self.stand_in.url,
            "DATABASE_URL": self._database_url,
            "ORGANIZER_CHANNEL_ID": ORGANIZERS,
            "ENCRYPTION_KEY": self.encryption_key,
            **({"ESCALATION_CHANNEL_ID": ESCALATION} if self._escalation else {}),
            **({"SLACK_APP_TOKEN": self.stand_in.app_token} if self.transport == "socket" else {}),
            **self._env,
        }
        self.settings = load_settings(env, socket_mode=self.transport == "socket")
        self.services = build_services(self.settings, clock=self._clock)
        self.listeners = TrackedExecutor(self.settings.listener_threads)
        app = build_app(self.services, executor=self.listeners)
        if self.transport == "socket":
            self.socket = SocketModeHandler(
                app, self.settings.app_token or "", concurrency=self.settings.listener_threads
            )
            self.socket.connect()
            wsgi = make_socket_mode_wsgi_app(self.services, self.socket.connected)
        else:
            wsgi = make_wsgi_app(app, self.services)
        self.server = BackgroundServer(wsgi).start()
        if self._start_outbox:
            self.services.outbox.start()
        if self._run_scheduler:
            self.scheduler = Scheduler(self.services)
            self.scheduler.start(standby=True)
        self.slack = SlackRequests(
            f"{self.server.url}/slack/events",
            self.signing_secret,
            self.stand_in,
            socket_mode=self.transport == "socket",
        )
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None):
        self.close()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every listener has finished and the outbox has sent what it can."""
        deadline = threading.Event()
        for _ in range(int(timeout / 0.02)):
            self.listeners.wait_idle(timeout)
            if self.outbox_idle():
                self.listeners.wait_idle(timeout)
                if self.outbox_idle():
                    return
            self.services.outbox.wake()
            deadline.wait(0.02)
        raise TimeoutError(f"the app did not settle within {timeout}s")

    def outbox_idle(self) -> bool:
        return not self.services.outbox.busy()

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.socket is not None:
            self.socket.close()
        self.services.outbox.stop()
        self.listeners.shutdown(wait=True)
        self.server.stop()
        self.services.engine.dispose()
        self.stand_in.stop()

    def _populate_workspace(self) -> None:
        cast = self.cast
        for person in [*cast.organizers, cast.lead, *cast.participants]:
            self.stand_in.add_user(person.user_id, person.name)
        organizer_ids = [p.user_id for p in [*cast.organizers, cast.lead]]
        everyone = organizer_ids + [p.user_id for p in cast.participants]
        self.stand_in.add_channel(ORGANIZERS, "coc-organizers", members=organizer_ids)
        self.stand_in.add_channel(ESCALATION, "coc-escalation", members=[cast.lead.user_id])
        self.stand_in.add_channel(GENERAL, "general", members=everyone, is_private=False)
