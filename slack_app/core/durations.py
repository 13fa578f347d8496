"""Durations in settings are written like ``90s``, ``30m``, ``2h`` or ``3d``."""

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """Parse ``90s``/``30m``/``2h``/``3d``; a bare ``0`` means zero (used to turn things off)."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 30m, 2h or 3d")
    amount, unit = int(match.group(1)), match.group(2)
    if not unit:
        if amount != 0:
            raise ValueError(f"{text!r} needs a unit: s, m, h or d (for example 30m)")
        return timedelta(0)
    return timedelta(**{_UNITS[unit]: amount})
