"""Turning a modal's submitted state into plain form data.

Slack sends ``view.state.values`` as ``{block_id: {action_id: {...}}}`` with a different shape
per element; everything here tolerates missing or wrongly typed parts (a hostile or broken
payload yields empty values, which validation then reports), and never raises on bad input.
"""

import json
import re
from typing import Any

from db.enums import Category
from slack_app.core.ids import Action, Block, Choice
from workflows.reports import EXCERPT_MAX, Evidence, ReportForm

# \Z, not $: "$" also matches before a trailing newline. ASCII: \d also matches other scripts' digits.
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}\Z")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_TIME = re.compile(r"^\d{2}:\d{2}\Z", re.ASCII)
_TS = re.compile(r"^\d{1,12}\.\d{1,8}\Z", re.ASCII)


_INITIAL_TO_STATE = {
    "initial_value": "value",
    "initial_option": "selected_option",
    "initial_options": "selected_options",
    "initial_users": "selected_users",
    "initial_conversation": "selected_conversation",
    "initial_conversations": "selected_conversations",
    "initial_user": "selected_user",
    "initial_date": "selected_date",
    "initial_time": "selected_time",
}


class ViewState:
    """Read access to one view's submitted values."""

    def __init__(self, view: Any):
        state = view.get("state") if isinstance(view, dict) else None
        values = state.get("values") if isinstance(state, dict) else None
        self._values: dict[str, Any] = values if isinstance(values, dict) else {}
        self._blocks = view.get("blocks") if isinstance(view, dict) else None

    def _element(self, block: str, action: str) -> dict[str, Any]:
        block_values = self._values.get(block)
        element = block_values.get(action) if isinstance(block_values, dict) else None
        if isinstance(element, dict):
            return element
        # An input nobody touched may be missing from the state of a block action; it then
        # still holds what the view pre-filled.
        return self._initial(block, action)

    def _initial(self, block_id: str, action: str) -> dict[str, Any]:
        for block in self._blocks if isinstance(self._blocks, list) else []:
            element = block.get("element") if isinstance(block, dict) and block.get("block_id") == block_id else None
            if isinstance(element, dict) and element.get("action_id") == action:
                return {state_key: element[key] for key, state_key in _INITIAL_TO_STATE.items() if key in element}
        return {}

    def text(self, block: str, action: str) -> str | None:
        value = self._element(block, action).get("value")
        return value if isinstance(value, str) else None

    def selected(self, block: str, action: str) -> str | None:
        option = self._element(block, action).get("selected_option")
        value = option.get("value") if isinstance(option, dict) else None
        return value if isinstance(value, str) else None

    def checked(self, block: str, action: str) -> set[str]:
        options = self._element(block, action).get("selected_options")
        if not isinstance(options, list):
            return set()
        return {o["value"] for o in options if isinstance(o, dict) and isinstance(o.get("value"), str)}

    def users(self, block: str, action: str) -> tuple[str, ...]:
        users = self._element(block, action).get("selected_users")
        if not isinstance(users, list):
            return ()
        return tuple(u for u in users if isinstance(u, str) and _SLACK_ID.match(u))

    def user(self, block: str, action: str) -> str | None:
        return _slack_id(self._element(block, action).get("selected_user"))

    def conversations(self, block: str, action: str) -> tuple[str, ...]:
        chosen = self._element(block, action).get("selected_conversations")
        if not isinstance(chosen, list):
            return ()
        return tuple(c for c in chosen if isinstance(c, str) and _SLACK_ID.match(c))

    def conversation(self, block: str, action: str) -> str | None:
        return _slack_id(self._element(block, action).get("selected_conversation"))

    def date(self, block: str, action: str) -> str | None:
        value = self._element(block, action).get("selected_date")
        return value if isinstance(value, str) and _DATE.match(value) else None

    def time(self, block: str, action: str) -> str | None:
        value = self._element(block, action).get("selected_time")
        return value if isinstance(value, str) and _TIME.match(value) else None


def _slack_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _SLACK_ID.match(value) else None


def parse_report_form(view: Any) -> ReportForm:
    state = ViewState(view)
    category = state.selected(Block.CATEGORY, Action.CATEGORY)
    return ReportForm(
        description=state.text(Block.DESCRIPTION, Action.DESCRIPTION) or "",
        category=Category(category) if category in Category.__members__.values() else None,
        involved_user_ids=state.users(Block.INVOLVED, Action.INVOLVED),
        others_involved=state.text(Block.OTHERS_INVOLVED, Action.OTHERS_INVOLVED),
        location_channel_id=state.conversation(Block.LOCATION_CHANNEL, Action.LOCATION_CHANNEL),
        location_text=state.text(Block.LOCATION_TEXT, Action.LOCATION_TEXT),
        occurred_on=state.date(Block.OCCURRED_ON, Action.OCCURRED_ON),
        occurred_at_time=state.time(Block.OCCURRED_AT, Action.OCCURRED_AT),
        urgent=Choice.URGENT in state.checked(Block.URGENT, Action.URGENT),
        # Anything but an explicit "you may see my name" keeps the reporter anonymous, and
        # anything but an explicit yes means no follow-up and no apology: privacy first.
        anonymous=state.selected(Block.ANONYMITY, Action.ANONYMITY) != Choice.NAMED,
        follow_up_allowed=state.selected(Block.FOLLOW_UP, Action.FOLLOW_UP) == Choice.FOLLOW_UP_YES,
        apology_wanted=state.selected(Block.APOLOGY, Action.APOLOGY) == Choice.APOLOGY_ASK,
        evidence=parse_evidence(view.get("private_metadata") if isinstance(view, dict) else None),
    )


def parse_evidence(private_metadata: Any) -> Evidence | None:
    """The shortcut's evidence from ``private_metadata``; None unless well formed."""
    if not isinstance(private_metadata, str) or not private_metadata:
        return None
    try:
        data = json.loads(private_metadata)
    except ValueError:
        return None
    evidence = data.get("evidence") if isinstance(data, dict) else None
    if not isinstance(evidence, dict):
        return None
    channel, ts = _slack_id(evidence.get("channel")), evidence.get("ts")
    if channel is None or not isinstance(ts, str) or not _TS.match(ts):
        return None
    excerpt = evidence.get("excerpt")
    return Evidence(
        channel_id=channel,
        ts=ts,
        author_id=_slack_id(evidence.get("author")),
        excerpt=excerpt[:EXCERPT_MAX] if isinstance(excerpt, str) else "",
    )


def shows_dm_warning(view: Any) -> bool:
    """Anonymous, about something in a direct message: the other person may guess who reported."""
    state = ViewState(view)
    if state.selected(Block.ANONYMITY, Action.ANONYMITY) != Choice.ANONYMOUS:
        return False
    evidence = parse_evidence(view.get("private_metadata") if isinstance(view, dict) else None)
    places = {state.conversation(Block.LOCATION_CHANNEL, Action.LOCATION_CHANNEL)}
    if evidence is not None:
        places.add(evidence.channel_id)
    return any(place is not None and place.startswith("D") for place in places)


def view_metadata(view: Any) -> dict[str, Any]:
    """A modal's ``private_metadata`` as a dict of ids ({} when absent or malformed)."""
    raw = view.get("private_metadata") if isinstance(view, dict) else None
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def first_input_block(view: Any) -> str:
    """Where to show an error that belongs to the whole modal."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "input":
            return str(block.get("block_id", ""))
    return ""
