"""View submissions (``type: view_submission``) and closed modals (``type: view_closed``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import JsonDict
from ..state import build_state_values, required_problems
from ..web_api import SlackStandIn
from .envelope import common


def view_submission_payload(
    stand_in: SlackStandIn,
    user_id: str,
    view: JsonDict,
    values: Mapping[str, Any] | None,
    *,
    enforce_required: bool,
) -> JsonDict:
    """The submission of ``view`` with ``values`` by block_id on top of what the user entered.

    Raises ``ValueError`` where Slack's client would refuse to submit (see
    ``state.required_problems``), unless ``enforce_required`` is false.
    """
    state = build_state_values(view, values, current=view["state"]["values"])
    if enforce_required:
        problems = required_problems(view, state)
        if problems:
            raise ValueError("Slack would not submit this modal: " + "; ".join(problems))
    payload = common(stand_in, "view_submission", user_id)
    payload.update(
        trigger_id=stand_in.issue_trigger(user_id),
        view={**view, "state": {"values": state}},
        response_urls=[],
    )
    return payload


def view_closed_payload(stand_in: SlackStandIn, user_id: str, view: JsonDict) -> JsonDict:
    payload = common(stand_in, "view_closed", user_id)
    payload.update(view=view, is_cleared=bool(view.get("clear_on_close")))
    return payload
