"""Reading Web API request parameters the way Slack does.

Form bodies carry every value as a string, JSON bodies may carry numbers or
booleans; the methods read both through these two helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def param(params: Mapping[str, Any], name: str) -> str | None:
    """A request parameter as a string (JSON bodies may carry numbers or booleans)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def is_true(params: Mapping[str, Any], name: str) -> bool:
    """A boolean request parameter (``true``/``1`` in forms, ``true`` in JSON)."""
    return param(params, name) in ("true", "1")
