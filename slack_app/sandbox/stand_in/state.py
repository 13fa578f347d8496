"""Building ``view.state.values`` the way Slack's clients do.

Slack sends, with every ``view_submission`` (and ``block_actions`` in a view), the
current value of every input element keyed ``block_id -> action_id -> {...}``.
The shape of each value depends on the element type; an untouched element
reports its ``initial_*`` value (or an empty one).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from .models import JsonDict

StateValues = dict[str, dict[str, JsonDict]]

# Element types whose state is ``{"value": str | None}``, seeded from ``initial_value``.
_TEXT_LIKE = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
}
_SINGLE_OPTION = ("static_select", "radio_buttons", "external_select", "overflow")
_MULTI_OPTION = ("checkboxes", "multi_static_select", "multi_external_select")
# Element type -> (state key, initial key); multi variants hold lists.
_PICKERS: dict[str, tuple[str, str]] = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
    "rich_text_input": ("rich_text_value", "initial_value"),
    "file_input": ("files", "initial_files"),
}
# Overflow menus report a selected_option in actions but keep no state.
STATEFUL_TYPES = frozenset([*_TEXT_LIKE, *_SINGLE_OPTION, *_MULTI_OPTION, *_PICKERS]) - {"overflow"}


def _options(element: Mapping[str, Any]) -> Iterator[JsonDict]:
    yield from element.get("options") or []
    for group in element.get("option_groups") or []:
        yield from group.get("options") or []


def find_option(element: Mapping[str, Any], value: str) -> JsonDict:
    """The option dict of ``element`` whose ``value`` is ``value``.

    External selects have no options in the view, so a plain option is made up.
    Raises ``ValueError`` when a static list has no such option (a test bug).
    """
    if element.get("type") in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": value}, "value": value}
    for option in _options(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    known = [option.get("value") for option in _options(element)]
    raise ValueError(f"{element.get('action_id')!r} has no option with value {value!r} (options: {known})")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def element_state(element: Mapping[str, Any], value: Any) -> JsonDict:
    """The state entry for ``element`` when the user picked/typed ``value``.

    ``value`` is what a person would choose: a string for text inputs, the
    option *value* for selects and radio buttons, a list of option values for
    checkboxes / multi-selects, user or conversation ids for pickers,
    ``"YYYY-MM-DD"`` (or a ``date``) for datepickers, ``"HH:MM"`` for
    timepickers. A dict is taken as the raw Slack state entry.
    """
    kind = element.get("type", "")
    state: JsonDict = {"type": kind}
    if isinstance(value, dict):
        return {**state, **copy.deepcopy(value)}
    if kind in _TEXT_LIKE:
        state["value"] = None if value is None else str(value)
    elif kind in _SINGLE_OPTION:
        state["selected_option"] = None if value is None else find_option(element, str(value))
    elif kind in _MULTI_OPTION:
        state["selected_options"] = [find_option(element, str(v)) for v in _as_list(value)]
    elif kind in _PICKERS:
        key = _PICKERS[kind][0]
        is_multi = kind.startswith("multi_") or kind == "file_input"
        state[key] = [_plain(v) for v in _as_list(value)] if is_multi else _plain(value)
    else:
        raise ValueError(f"element type {kind!r} ({element.get('action_id')!r}) holds no state")
    if kind == "timepicker" and element.get("timezone"):
        state["timezone"] = element["timezone"]
    return state


def initial_state(element: Mapping[str, Any]) -> JsonDict:
    """The state entry of an element the user has not touched."""
    kind = element.get("type", "")
    if kind in _TEXT_LIKE:
        return element_state(element, element.get("initial_value"))
    if kind in _SINGLE_OPTION:
        option = element.get("initial_option")
        return {"type": kind, "selected_option": copy.deepcopy(option)}
    if kind in _MULTI_OPTION:
        return {"type": kind, "selected_options": copy.deepcopy(element.get("initial_options") or [])}
    if kind in _PICKERS:
        initial_key = _PICKERS[kind][1]
        default: Any = [] if kind.startswith("multi_") or kind == "file_input" else None
        return element_state(element, copy.deepcopy(element.get(initial_key, default)))
    raise ValueError(f"element type {kind!r} ({element.get('action_id')!r}) holds no state")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | dict):
        return [value]
    return list(value)


def input_blocks(view: Mapping[str, Any]) -> list[JsonDict]:
    """The view's input blocks, in order."""
    return [b for b in view.get("blocks") or [] if isinstance(b, dict) and b.get("type") == "input"]


def interactive_elements(block: Mapping[str, Any]) -> list[JsonDict]:
    """The elements of a block that can carry an ``action_id``."""
    kind = block.get("type")
    if kind == "input":
        candidates = [block.get("element")]
    elif kind == "section":
        candidates = [block.get("accessory")]
    elif kind == "actions":
        candidates = list(block.get("elements") or [])
    else:
        candidates = []
    return [e for e in candidates if isinstance(e, dict) and e.get("type") != "image"]


def find_element(blocks: list[JsonDict], action_id: str, block_id: str | None = None) -> JsonDict | None:
    """The element with ``action_id`` (in ``block_id`` when given), plus its ``block_id``.

    Returns ``{"block_id": ..., "element": {...}}`` or None.
    """
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in interactive_elements(block):
            if element.get("action_id") == action_id:
                return {"block_id": block.get("block_id"), "element": element}
    return None


def is_empty(entry: Mapping[str, Any]) -> bool:
    """Whether a state entry holds no value (what Slack's client checks for required inputs)."""
    values = [v for k, v in entry.items() if k != "type" and k != "timezone"]
    return all(v is None or v == "" or v == [] for v in values)


def build_state_values(
    view: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    *,
    current: Mapping[str, Mapping[str, JsonDict]] | None = None,
) -> StateValues:
    """``view.state.values`` as Slack would submit it.

    Every input block is included: with ``values[block_id]`` when given (see
    ``element_state`` for the accepted forms), else the value the user already
    set in ``current`` (from earlier block actions), else the element's initial
    value. Other stateful elements (e.g. a select in an actions block) appear
    only if present in ``current``. Raises ``ValueError`` for a ``values`` key
    that is not an input block of the view.
    """
    overrides = dict(values or {})
    state: StateValues = {block_id: dict(entries) for block_id, entries in copy.deepcopy(current or {}).items()}
    for block in input_blocks(view):
        block_id = block.get("block_id", "")
        element = block.get("element") or {}
        action_id = element.get("action_id", "")
        if block_id in overrides:
            entry = element_state(element, overrides.pop(block_id))
        elif action_id in state.get(block_id, {}):
            continue
        else:
            entry = initial_state(element)
        state.setdefault(block_id, {})[action_id] = entry
    if overrides:
        known = [b.get("block_id") for b in input_blocks(view)]
        raise ValueError(f"no input block with block_id {sorted(overrides)} in the view (input blocks: {known})")
    return state


def required_problems(view: Mapping[str, Any], state: StateValues) -> list[str]:
    """What Slack's client would refuse to submit: empty required inputs, length limits."""
    problems: list[str] = []
    for block in input_blocks(view):
        block_id = block.get("block_id", "")
        element = block.get("element") or {}
        entry = state.get(block_id, {}).get(element.get("action_id", ""), {})
        if is_empty(entry):
            if not block.get("optional", False):
                problems.append(f"{block_id!r} is required but empty")
            continue
        text = entry.get("value")
        if isinstance(text, str):
            if "max_length" in element and len(text) > element["max_length"]:
                problems.append(f"{block_id!r} is longer than max_length={element['max_length']}")
            if "min_length" in element and len(text) < element["min_length"]:
                problems.append(f"{block_id!r} is shorter than min_length={element['min_length']}")
    return problems
