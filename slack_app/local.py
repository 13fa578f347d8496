"""A complete Speak Out on loopback: the real app, server and database, with the stand-in
for Slack's servers. ``speakout demo`` runs on it, and so do the end-to-end tests."""

import secrets
from dataclasses import dataclass, field
from types import TracebackType

from slack_app.app import build_app
from slack_app.services import Clock, Services, build_services, utc_now
from slack_app.settings import Settings, load_settings
from slack_app.stand_in import SlackRequests, SlackStandIn
from slack_app.web import BackgroundServer, make_wsgi_app

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


class LocalSpeakOut:
    """Start with ``with LocalSpeakOut(database_url) as local:``; everything stops on exit."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock = utc_now,
        escalation: bool = True,
        latency: float = 0.0,
        env: dict[str, str] | None = None,
        start_outbox: bool = True,
    ):
        self.cast = Cast()
        self.stand_in = SlackStandIn(latency=latency)
        self.signing_secret = secrets.token_hex(16)
        self._database_url = database_url
        self._clock = clock
        self._escalation = escalation
        self._env = env or {}
        self._start_outbox = start_outbox
        self.settings: Settings
        self.services: Services
        self.server: BackgroundServer
        self.slack: SlackRequests

    def __enter__(self) -> "LocalSpeakOut":
        self.stand_in.start()
        self._populate_workspace()
        env = {
            "SLACK_BOT_TOKEN": self.stand_in.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_API_URL": self.stand_in.url,
            "DATABASE_URL": self._database_url,
            "ORGANIZER_CHANNEL_ID": ORGANIZERS,
            **({"ESCALATION_CHANNEL_ID": ESCALATION} if self._escalation else {}),
            **self._env,
        }
        self.settings = load_settings(env)
        self.services = build_services(self.settings, clock=self._clock)
        app = build_app(self.services)
        self.server = BackgroundServer(make_wsgi_app(app, self.services)).start()
        if self._start_outbox:
            self.services.outbox.start()
        self.slack = SlackRequests(f"{self.server.url}/slack/events", self.signing_secret, self.stand_in)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None):
        self.close()

    def close(self) -> None:
        self.services.outbox.stop()
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
