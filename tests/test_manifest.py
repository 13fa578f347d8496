"""manifest.yml and the app agree: what Slack is told to send is what the app listens for."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from slack_bolt import App

from slack_app.bolt.app import build_app
from slack_app.core import ids
from slack_app.core.ids import Callback, Command
from slack_app.sandbox.loopback import GENERAL, LocalSpeakOut
from tests.e2e.helpers import seen, wait_for_dms

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"

# Stated here on purpose: adding or dropping a scope must be a deliberate change to this test too.
BOT_SCOPES = {
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "channels:manage",
    "groups:write",
}

# The scope Slack requires before it delivers each bot event.
EVENT_SCOPES = {
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.mpim": "mpim:history",
    "app_home_opened": None,
    "app_uninstalled": None,
    "tokens_revoked": None,
    "app_mention": "app_mentions:read",
}

# ``message.im`` is delivered as a ``message`` event with ``channel_type: im``.
MESSAGE_CHANNEL_TYPES = {"im": "im", "channels": "channel", "groups": "group", "mpim": "mpim"}


def load_manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text())


@dataclass(frozen=True)
class Declared:
    commands: set[str]
    message_shortcuts: set[str]
    global_shortcuts: set[str]
    bot_events: list[str]

    @property
    def shortcuts(self) -> set[str]:
        return self.message_shortcuts | self.global_shortcuts

    def event_types(self) -> set[str]:
        return {event_type(name)[0] for name in self.bot_events}


def declared(manifest: dict[str, Any]) -> Declared:
    features = manifest.get("features") or {}
    shortcuts = features.get("shortcuts") or []
    events = ((manifest.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events") or []
    return Declared(
        commands={command["command"] for command in features.get("slash_commands") or []},
        message_shortcuts={s["callback_id"] for s in shortcuts if s["type"] == "message"},
        global_shortcuts={s["callback_id"] for s in shortcuts if s["type"] == "global"},
        bot_events=list(events),
    )


def event_type(name: str) -> tuple[str, str | None]:
    """A manifest bot event as (event type, channel_type): ``message.im`` -> ("message", "im")."""
    kind, _, where = name.partition(".")
    if kind == "message" and where:
        return "message", MESSAGE_CHANNEL_TYPES[where]
    return name, None


# What each kind of listener's first matcher closes over, by the name of Bolt's builder
# (``slack_bolt.listener_matcher.builtins``): closure variable names, then the key to read
# when that variable holds a dict of constraints.
LISTENER_KINDS = {
    "command": ("command", ("command",), None),
    "shortcut": ("shortcut", ("callback_id",), None),
    "global_shortcut": ("shortcut", ("callback_id",), None),
    "message_shortcut": ("shortcut", ("callback_id",), None),
    "event": ("event", ("event_type", "constraints"), "type"),
    "message_event": ("event", ("constraints",), "type"),
    "view_submission": ("view", ("callback_id",), None),
    "view_closed": ("view", ("callback_id",), None),
    "action": ("action", ("constraints",), "action_id"),
    "block_action": ("action", ("constraints",), "action_id"),
    "options": ("options", ("constraints",), "action_id"),
    "block_suggestion": ("options", ("action_id",), None),
}


def registered(app: App) -> dict[str, set[str]]:
    """What each of the app's listeners is registered for, by kind.

    Bolt builds each listener's first matcher with a function from
    ``slack_bolt.listener_matcher.builtins`` whose inner ``func`` closes over the name it
    was given; read that name by the closure variable's name, so a listener of a shape this
    does not know fails loudly here instead of being skipped.
    """
    found: dict[str, set[str]] = {}
    for listener in app._listeners:
        func = listener.matchers[0].func
        builder = func.__qualname__.split(".<locals>")[0]
        assert builder in LISTENER_KINDS, (
            f"a listener of an unexpected kind ({func.__qualname__}): extend LISTENER_KINDS"
        )
        kind, variables, key = LISTENER_KINDS[builder]
        cells = dict(
            zip(func.__code__.co_freevars, (cell.cell_contents for cell in func.__closure__ or ()), strict=True)
        )
        value = next(cells[name] for name in variables if name in cells)
        name = value.get(key) if isinstance(value, dict) else value
        assert isinstance(name, str), f"{kind} listener registered for {value!r}, not a literal name"
        found.setdefault(kind, set()).add(name)
    return found


def defined_ids() -> set[str]:
    """Every identifier declared in slack_app.core.ids."""
    return {
        str(member)
        for value in vars(ids).values()
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
        for member in value
    }


# -------------------------------------------------------------------------- the manifest itself


def test_every_slack_command_the_app_defines_is_declared_and_nothing_else():
    assert declared(load_manifest()).commands == {str(command) for command in Command}


def test_every_declared_shortcut_has_a_callback_id_the_app_defines():
    shortcuts = declared(load_manifest()).shortcuts
    assert shortcuts, "the manifest declares the 'Report this message' shortcut"
    assert shortcuts <= {str(callback) for callback in Callback}


def test_every_request_url_points_at_slack_events():
    manifest = load_manifest()
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    commands = manifest["features"]["slash_commands"]
    assert commands
    for command in commands:
        assert command["url"].endswith("/slack/events"), command["command"]


def test_the_bot_scopes_are_exactly_the_ones_the_app_needs():
    assert set(load_manifest()["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES


def test_every_declared_feature_has_the_scope_slack_requires_for_it():
    manifest = load_manifest()
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    things = declared(manifest)
    if things.commands or things.shortcuts:
        assert "commands" in scopes
    for name in things.bot_events:
        assert name in EVENT_SCOPES, f"add the scope Slack requires for {name} to EVENT_SCOPES"
        assert EVENT_SCOPES[name] in scopes | {None}, f"{name} needs {EVENT_SCOPES[name]}"


def test_reporters_can_write_to_the_app_in_its_messages_tab():
    # Replies in the DM reach the organizers (message.im), so the Messages tab must be writable.
    app_home = load_manifest()["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False
    assert "message.im" in declared(load_manifest()).bot_events


# -------------------------------------------------------------------------- the running app


def test_the_app_registers_exactly_what_the_manifest_declares(local: LocalSpeakOut):
    things = declared(load_manifest())
    found = registered(build_app(local.services, executor=local.listeners))

    assert found.get("command", set()) == things.commands
    assert found.get("shortcut", set()) == things.shortcuts
    assert found.get("event", set()) == things.event_types()
    # Views, actions and options need no manifest entry, but their ids must come from slack_app.core.ids.
    for kind in ("view", "action", "options"):
        assert found.get(kind, set()) <= defined_ids(), kind


def test_the_app_answers_every_declared_command_and_shortcut(local: LocalSpeakOut):
    things = declared(load_manifest())
    alex, blake = local.cast.participants[0], local.cast.participants[1]
    posted = local.stand_in.post_user_message(blake.user_id, GENERAL, "what does your badge say")
    message = {"type": "message", "user": blake.user_id, "ts": posted.ts, "text": posted.text}

    for command in sorted(things.commands):
        local.stand_in.close_views(alex.user_id)
        assert local.slack.slash_command(alex.user_id, command).status == 200, command
        local.stand_in.wait_for(lambda: local.stand_in.open_view(alex.user_id), what=f"a modal from {command}")
    for callback_id in sorted(things.message_shortcuts):
        local.stand_in.close_views(alex.user_id)
        answer = local.slack.message_shortcut(alex.user_id, callback_id, channel_id=GENERAL, message=message)
        assert answer.status == 200, callback_id
        local.stand_in.wait_for(lambda: local.stand_in.open_view(alex.user_id), what=f"a modal from {callback_id}")
    for callback_id in sorted(things.global_shortcuts):
        local.stand_in.close_views(alex.user_id)
        assert local.slack.shortcut(alex.user_id, callback_id).status == 200, callback_id
        local.stand_in.wait_for(lambda: local.stand_in.open_view(alex.user_id), what=f"a modal from {callback_id}")


def test_the_app_answers_every_declared_bot_event(local: LocalSpeakOut):
    casey = local.cast.participants[2].user_id
    for name in declared(load_manifest()).bot_events:
        kind, channel_type = event_type(name)
        if (kind, channel_type) == ("message", "im"):
            assert local.slack.event(local.slack.dm_message(casey, "is anyone there?")).status == 200
            (reply,) = wait_for_dms(local, casey, 1)
            assert "You don't have an open report with us" in seen(local, reply)
        elif kind == "app_home_opened":
            assert local.slack.home_opened(casey).status == 200
            local.stand_in.wait_for(lambda: local.stand_in.home_view(casey), what="casey's Home tab")
        else:
            event = {"type": kind, "user": casey, "channel": GENERAL, "text": "hi", "event_ts": "1764061200.000100"}
            if channel_type:
                event["channel_type"] = channel_type
            assert local.slack.event(event).status == 200, name


def test_bolt_answers_404_for_what_the_manifest_does_not_declare(local: LocalSpeakOut):
    alex = local.cast.participants[0].user_id
    assert local.slack.slash_command(alex, "/nope").status == 404
    message = {"type": "message", "user": alex, "ts": "1764061200.000100", "text": "hello"}
    assert local.slack.message_shortcut(alex, "nope_shortcut", channel_id=GENERAL, message=message).status == 404
    event = {"type": "reaction_added", "user": alex, "reaction": "eyes", "event_ts": "1764061200.000200"}
    assert local.slack.event(event).status == 404
    assert local.stand_in.calls_to("views.open") == []
