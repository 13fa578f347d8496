"""Modals and Home tabs: trigger ids, per-user modal stacks and the ``views.*`` methods.

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
from dataclasses import dataclass
from typing import Any

from .blocks import view_problems
from .models import ApiError, JsonDict, new_id
from .state import input_blocks, interactive_elements
from .workspace import param

TRIGGER_TTL = 3.0
"""Seconds a trigger_id stays valid (Slack: three seconds)."""
MAX_STACK = 3
"""Slack's limit on stacked modals."""


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


def _fill_ids(blocks: list[JsonDict]) -> None:
    """Give blocks and elements without ids generated ones, as Slack does."""
    for block in blocks:
        block.setdefault("block_id", new_id("", 5))
        for element in interactive_elements(block):
            element.setdefault("action_id", new_id("", 5))


class ViewStore:
    """Open modals, Home tabs and trigger ids of the stand-in workspace."""

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
        self._user_exists = user_exists
        self._clock = clock
        self._views: dict[str, JsonDict] = {}
        self._owners: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, _Trigger] = {}

    # --------------------------------------------------------------- triggers

    def issue_trigger(self, user_id: str, *, issued_at: float | None = None) -> str:
        """A fresh trigger_id for ``user_id``, valid ``TRIGGER_TTL`` seconds after ``issued_at``
        (a ``time.monotonic()`` value; default now)."""
        trigger_id = f"{len(self._triggers) + 1}.{int(time.time())}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = _Trigger(user_id, self._clock() if issued_at is None else issued_at)
        return trigger_id

    def _exchange(self, params: Mapping[str, Any]) -> str:
        """Use up the request's trigger_id; returns the user it was issued for."""
        trigger = self._triggers.get(param(params, "trigger_id") or param(params, "interactivity_pointer") or "")
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self._clock() - trigger.issued_at >= TRIGGER_TTL:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id

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

    # ---------------------------------------------------------- modal stack

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

    def _check(self, view: Any, view_type: str, *, replacing: str | None = None) -> JsonDict:
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

    def _store(
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
        stored: JsonDict = {
            "id": view_id,
            "team_id": self._team_id,
            "type": view["type"],
            "blocks": blocks,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": self._kept_state(old, blocks)},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous_view_id if old is None else old.get("previous_view_id"),
            "root_view_id": (root_view_id or view_id) if old is None else old["root_view_id"],
            "app_id": self._app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self._team_id,
            "bot_id": self._bot_id,
        }
        if view["type"] == "home":
            for key in ("title", "close", "submit"):
                stored.pop(key)
        self._views[view_id] = stored
        self._owners[view_id] = user_id
        return copy.deepcopy(stored)

    @staticmethod
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

    def _find(self, params: Mapping[str, Any]) -> str:
        view_id = param(params, "view_id")
        external_id = param(params, "external_id")
        if view_id is None and external_id is None:
            raise ApiError("invalid_arguments", messages=["either view_id or external_id is required"])
        if view_id is None:
            view_id = next((v["id"] for v in self._views.values() if v.get("external_id") == external_id), None)
        if view_id is None or view_id not in self._views:
            raise ApiError("not_found")
        return view_id

    def _push(self, user_id: str, view: JsonDict) -> JsonDict:
        stack = self._stacks.get(user_id)
        if not stack:
            raise ApiError("invalid_arguments", messages=["no open modal to push a view onto"])
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        root = self._views[stack[0]]["id"]
        stored = self._store(user_id, view, root_view_id=root, previous_view_id=stack[-1])
        stack.append(stored["id"])
        return stored

    # ------------------------------------------------------------- Web API

    def views_open(self, params: Mapping[str, Any]) -> JsonDict:
        view = self._check(params.get("view"), "modal")
        user_id = self._exchange(params)
        self.close_views(user_id)
        stored = self._store(user_id, view)
        self._stacks[user_id] = [stored["id"]]
        return {"ok": True, "view": stored}

    def views_push(self, params: Mapping[str, Any]) -> JsonDict:
        view = self._check(params.get("view"), "modal")
        user_id = self._exchange(params)
        return {"ok": True, "view": self._push(user_id, view)}

    def views_update(self, params: Mapping[str, Any]) -> JsonDict:
        view_id = self._find(params)
        current = self._views[view_id]
        given_hash = param(params, "hash")
        if given_hash is not None and given_hash != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._check(params.get("view"), current["type"], replacing=view_id)
        return {"ok": True, "view": self._store(self._owners[view_id], view, view_id=view_id)}

    def views_publish(self, params: Mapping[str, Any]) -> JsonDict:
        user_id = param(params, "user_id")
        if user_id is None or not self._user_exists(user_id):
            raise ApiError("user_not_found")
        view_id = self._homes.get(user_id)
        given_hash = param(params, "hash")
        if view_id is not None and given_hash is not None and given_hash != self._views[view_id]["hash"]:
            raise ApiError("hash_conflict")
        view = self._check(params.get("view"), "home", replacing=view_id)
        stored = self._store(user_id, view, view_id=view_id)
        self._homes[user_id] = stored["id"]
        return {"ok": True, "view": stored}

    # ------------------------------------------------------ view_submission

    def apply_submission_answer(self, user_id: str, view_id: str, answer: Any) -> str | None:
        """Change the user's modals the way Slack does after the app answered a
        ``view_submission`` for ``view_id`` with HTTP 200 and body ``answer``
        (decoded JSON, or None for an empty body).

        Returns None, or the reason Slack would show the user an error instead.
        """
        if answer is None or answer == {}:
            self.close_view(user_id, view_id)
            return None
        if not isinstance(answer, dict):
            return "the answer is not a JSON object"
        action = answer.get("response_action")
        try:
            if action == "clear":
                self.close_views(user_id)
            elif action == "update":
                view = self._check(answer.get("view"), "modal", replacing=view_id)
                self._store(user_id, view, view_id=view_id)
            elif action == "push":
                self._push(user_id, self._check(answer.get("view"), "modal"))
            elif action == "errors":
                return self._errors_problem(view_id, answer.get("errors"))
            else:
                return f"unknown response_action {action!r}"
        except ApiError as error:
            return "; ".join([error.error, *error.messages])
        return None

    def _errors_problem(self, view_id: str, errors: Any) -> str | None:
        if not isinstance(errors, dict) or not errors:
            return "response_action errors needs a non-empty errors object"
        view = self._views.get(view_id) or {}
        known = {b.get("block_id") for b in input_blocks(view)}
        unknown = sorted(set(errors) - known)
        if unknown:
            return f"errors name blocks that are not input blocks of the view: {unknown}"
        return None
