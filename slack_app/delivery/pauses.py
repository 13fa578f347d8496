"""What Slack refuses right now: the app's token (nothing goes out) or channels (their messages
wait). Shared by the outbox's senders (thread-safe), kept in memory: after a restart, the first
refusal finds a pause again."""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from slack_app.delivery.slack_errors import Pause, Scope, error_code, hint_for, scope_of

logger = logging.getLogger("slack_app.delivery.dispatcher")  # what admins watch for the outbox


class SlackPauses:
    def __init__(self, clock: Callable[[], datetime], probe: Callable[[], object] | None, interval: timedelta):
        # ``probe`` (``auth.test``) tells whether the token works again; without one, the
        # messages due are sent as the probe.
        self.clock = clock
        self.probe = probe
        self.interval = interval
        self._lock = threading.Lock()
        self._workspace: Pause | None = None
        self._channels: dict[str, Pause] = {}
        self.generation = 0

    @property
    def workspace_paused(self) -> bool:
        return self._workspace is not None

    @property
    def channels_paused(self) -> bool:
        return bool(self._channels)

    def report(self) -> dict[str, object]:
        with self._lock:
            status: dict[str, object] = self._workspace.report() if self._workspace else {"paused": None}
            status["channels"] = {
                (channel if is_channel(channel) else f"direct message {n}"): pause.report()
                for n, (channel, pause) in enumerate(sorted(self._channels.items()), 1)
            }
        return status

    # -- the workspace's token -----------------------------------------------------------
    def workspace_open(self) -> bool:
        """Whether the token works (as far as we know), probing it if it didn't and it's time."""
        now = self.clock()
        with self._lock:
            pause = self._workspace
            if pause is None:
                return True
            if pause.next_probe > now:
                return False
            pause.next_probe = now + self.interval
        if self.probe is None:
            return True  # the messages due are the probe
        try:
            self.probe()
        except SlackApiError as error:
            code = error_code(error)
            if scope_of(code) is Scope.WORKSPACE:
                pause.code = code
            logger.info("Slack still refuses the app's token (%s); trying again in %s", code, self.interval)
            return False
        except Exception as error:  # Slack unreachable: the token may work, we can't tell yet
            logger.info("could not check the app's token (%s); trying again later", type(error).__name__)
            return False
        self.resume_workspace()
        return True

    def pause_workspace(self, code: str) -> None:
        now = self.clock()
        with self._lock:
            if self._workspace is not None:
                return
            self.generation += 1
            self._workspace = Pause(code, now, now + self.interval, generation=self.generation)
        logger.error(
            "Slack refuses the app's token (%s): the outbox is paused until it works again. To fix: %s",
            code,
            hint_for(code),
        )

    def resume_workspace(self) -> None:
        with self._lock:
            pause, self._workspace = self._workspace, None
        if pause is not None:
            logger.warning("Slack takes the app's token again (paused since %s): sending resumes", pause.since)

    # -- channels --------------------------------------------------------------------------
    def held(self, stream: str, channel: str | None, now: datetime, *, probing: bool) -> bool:
        """Whether a stream's head waits for a paused channel; when ``probing`` and it's time,
        one head per channel goes as the probe."""
        with self._lock:
            for pause in self._channels_of(stream, channel):
                if probing and pause.next_probe <= now:
                    pause.next_probe = now + self.interval  # one probe per channel and interval
                    return False
                return True
        return False

    def began_after(self, generation: int, stream: str, channel: Callable[[], str | None]) -> Pause | None:
        """A pause begun since ``generation`` that a message of ``stream`` must wait for: the
        messages of one pass were chosen together, before it. ``channel`` is looked up only
        if a channel was paused since."""
        with self._lock:
            if self._workspace is not None and self._workspace.generation > generation:
                return self._workspace
            if not any(pause.generation > generation for pause in self._channels.values()):
                return None
        where = channel()
        with self._lock:
            return next((p for p in self._channels_of(stream, where) if p.generation > generation), None)

    def pause_channel(self, channel: str, stream: str, code: str) -> None:
        now = self.clock()
        with self._lock:
            pause = self._channels.get(channel)
            new = pause is None
            if pause is None:
                self.generation += 1
                pause = self._channels[channel] = Pause(code, now, now, generation=self.generation)
            pause.code, pause.next_probe = code, now + self.interval
            pause.streams.add(stream)
        if new:
            logger.error(
                "Slack refuses the app in %s (%s): its messages wait until that's fixed. To fix: %s",
                shown(channel),
                code,
                hint_for(code),
            )

    def resume_channels(self, stream: str, channel: str | None) -> None:
        """A message of ``stream`` (to ``channel``, if known) went out: its channel takes the app again."""
        with self._lock:
            resumed = [key for key, pause in self._channels.items() if key == channel or stream in pause.streams]
            for key in resumed:
                del self._channels[key]
        for key in resumed:
            logger.warning("Slack takes the app's messages in %s again: sending resumes", shown(key))

    def _channels_of(self, stream: str, channel: str | None) -> list[Pause]:
        return [pause for key, pause in self._channels.items() if key == channel or stream in pause.streams]


def is_channel(key: str) -> bool:
    return key[:1] in ("C", "G")


def shown(key: str) -> str:
    """How a paused channel is named in the log. A direct message's id (or a DM stream's name)
    would tie a person, a reporter maybe, to a case: it shows as "a direct message" (and in
    /healthz as "direct message N")."""
    return f"channel {key}" if is_channel(key) else "a direct message"
