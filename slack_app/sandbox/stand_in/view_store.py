"""Modals and Home tabs as Slack keeps them: per-user modal stacks and Home tabs.

Slack keeps, for every user, a stack of at most three open modals (``views.open``
starts it, ``views.push`` and ``response_action: push`` grow it) and one Home
tab (``views.publish``). Views are stored the way Slack returns them: with an
``id``, a ``hash`` that changes on every update, generated ``block_id`` /
``action_id`` values where the app gave none, and the user's ``state``.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from .blocks import view_problems
from .models import ApiError, JsonDict, new_id
from .params import param
from .state import interactive_elements
from .triggers import TriggerBook

MAX_STACK = 3
"""Slack's limit on stacked modals."""


class ViewStore:
    """Open modals, Home tabs and trigger ids of the stand-in workspace (not thread-safe)."""

    def __init__(
        self,
        *,
        team_id: str,
        app_id: str,
        bot_id: str,
        user_exists: Callable[[str], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._team_id = team_id
        self._app_id = app_id
        self._bot_id = bot_id
        self.user_exists = user_exists
        self.triggers = TriggerBook(clock)
        self._views: dict[str, JsonDict] = {}
        self._owners: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}

    # ------------------------------------------------------------ accessors

    def view(self, view_id: str) -> JsonDict | None:
        view = self._views.get(view_id)
        return copy.deepcopy(view) if view is not None else None

    def stack(self, user_id: str) -> list[JsonDict]:
        return [copy.deepcopy(self._views[v]) for v in self._stacks.get(user_id, [])]

    def open_view(self, user_id: str) -> JsonDict | None:
        stack = self._stacks.get(user_id)
        return copy.deepcopy(self._views[stack[-1]]) if stack else None

    def home_view(self, user_id: str) -> JsonDict | None:
        view_id = self._homes.get(user_id)
        return copy.deepcopy(self._views[view_id]) if view_id else None

    def home_id(self, user_id: str) -> str | None:
        return self._homes.get(user_id)

    def hash_of(self, view_id: str) -> str:
        return self._views[view_id]["hash"]

    def type_of(self, view_id: str) -> str:
        return self._views[view_id]["type"]

    def owner_of(self, view_id: str) -> str:
        return self._owners[view_id]

    # ---------------------------------------------------------- modal stack

    def open_stack(self, user_id: str, view: JsonDict) -> JsonDict:
        """Replace whatever modals the user had with ``view`` (already checked)."""
        self.close_views(user_id)
        stored = self.store(user_id, view)
        self._stacks[user_id] = [stored["id"]]
        return stored

    def push(self, user_id: str, view: JsonDict) -> JsonDict:
        """Put ``view`` (already checked) on top of the user's modals."""
        stack = self._stacks.get(user_id)
        if not stack:
            raise ApiError("invalid_arguments", messages=["no open modal to push a view onto"])
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        root = self._views[stack[0]]["id"]
        stored = self.store(user_id, view, root_view_id=root, previous_view_id=stack[-1])
        stack.append(stored["id"])
        return stored

    def publish_home(self, user_id: str, view: JsonDict) -> JsonDict:
        """Store ``view`` (already checked) as the user's Home tab."""
        stored = self.store(user_id, view, view_id=self._homes.get(user_id))
        self._homes[user_id] = stored["id"]
        return stored

    def close_views(self, user_id: str) -> None:
        """Close every modal the user has open."""
        for view_id in self._stacks.pop(user_id, []):
            self._forget(view_id)

    def close_view(self, user_id: str, view_id: str | None = None) -> JsonDict | None:
        """Close ``view_id`` (default: the top modal) and any view above it, as the
        close button does; a view with ``clear_on_close`` closes the whole stack.
        Returns the closed view, or None if nothing was open."""
        stack = self._stacks.get(user_id, [])
        view_id = view_id or (stack[-1] if stack else None)
        if view_id not in stack:
            return None
        closed = copy.deepcopy(self._views[view_id])
        if closed.get("clear_on_close"):
            self.close_views(user_id)
            return closed
        while stack and view_id in stack:
            self._forget(stack.pop())
        if not stack:
            self._stacks.pop(user_id, None)
        return closed

    def set_state(self, view_id: str, block_id: str, action_id: str, entry: JsonDict) -> None:
        """Record a value the user set in a view (what Slack reports in ``view.state``)."""
        values = self._views[view_id]["state"]["values"]
        values.setdefault(block_id, {})[action_id] = copy.deepcopy(entry)

    def _forget(self, view_id: str) -> None:
        self._views.pop(view_id, None)
        self._owners.pop(view_id, None)

    # ------------------------------------------------------------- storing

    def check(self, view: Any, view_type: str, *, replacing: str | None = None) -> JsonDict:
        """A copy of ``view`` if Slack would accept it, else ``ApiError``."""
        problems = view_problems(view, view_type=view_type)
        if problems:
            raise ApiError("invalid_arguments", messages=problems)
        external_id = view.get("external_id")
        if external_id and any(
            v.get("external_id") == external_id and v["id"] != replacing for v in self._views.values()
        ):
            raise ApiError("duplicate_external_id")
        return copy.deepcopy(view)

    def find(self, params: Mapping[str, Any]) -> str:
        """The id of the view a ``views.update`` addresses by ``view_id`` or ``external_id``."""
        view_id = param(params, "view_id")
        external_id = param(params, "external_id")
        if view_id is None and external_id is None:
            raise ApiError("invalid_arguments", messages=["either view_id or external_id is required"])
        if view_id is None:
            view_id = next((v["id"] for v in self._views.values() if v.get("external_id") == external_id), None)
        if view_id is None or view_id not in self._views:
            raise ApiError("not_found")
        return view_id

    def store(
        self,
        user_id: str,
        view: JsonDict,
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> JsonDict:
        """Store ``view`` (already checked) under ``view_id`` (default: a new id)."""
        view_id = view_id or new_id("V")
        old = self._views.get(view_id)
        blocks = view.get("blocks") or []
        _fill_ids(blocks)
        stored = self._stored_view(view, view_id, blocks, old)
        # An update keeps the view's place in its stack; a new view records where it sits.
        stored["previous_view_id"] = previous_view_id if old is None else old.get("previous_view_id")
        stored["root_view_id"] = (root_view_id or view_id) if old is None else old["root_view_id"]
        stored.update(
            app_id=self._app_id,
            external_id=view.get("external_id", ""),
            app_installed_team_id=self._team_id,
            bot_id=self._bot_id,
        )
        if view["type"] == "home":
            for key in ("title", "close", "submit"):
                stored.pop(key)
        self._views[view_id] = stored
        self._owners[view_id] = user_id
        return copy.deepcopy(stored)

    def _stored_view(self, view: JsonDict, view_id: str, blocks: list[JsonDict], old: JsonDict | None) -> JsonDict:
        return {
            "id": view_id,
            "team_id": self._team_id,
            "type": view["type"],
            "blocks": blocks,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": _kept_state(old, blocks)},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
        }


def _fill_ids(blocks: list[JsonDict]) -> None:
    """Give blocks and elements without ids generated ones, as Slack does."""
    for block in blocks:
        block.setdefault("block_id", new_id("", 5))
        for element in interactive_elements(block):
            element.setdefault("action_id", new_id("", 5))


def _kept_state(old: JsonDict | None, blocks: list[JsonDict]) -> dict[str, Any]:
    """Slack keeps what the user entered in elements whose block_id and action_id survive an update."""
    if old is None:
        return {}
    kept: dict[str, Any] = {}
    for block_id, entries in old["state"]["values"].items():
        for block in blocks:
            if block.get("block_id") != block_id:
                continue
            action_ids = {e.get("action_id") for e in interactive_elements(block)}
            survivors = {a: v for a, v in entries.items() if a in action_ids}
            if survivors:
                kept[block_id] = survivors
    return kept
