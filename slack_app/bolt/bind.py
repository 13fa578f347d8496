"""Giving a module-level listener what it needs besides Bolt's own arguments."""

from collections.abc import Callable
from functools import partial
from typing import Any


def bind(listener: Callable[..., Any], **dependencies: Any) -> Callable[..., Any]:
    """``listener`` with its keyword-only ``dependencies`` filled in.

    Bolt passes a listener the arguments its positional parameters name (``ack``, ``body``,
    ``client``...), so dependencies must be keyword-only. The name is kept because Bolt's
    debug log names each listener it tries, and a bare partial would read "functools.partial".
    """
    bound = partial(listener, **dependencies)
    bound.__name__ = listener.__name__  # type: ignore[attr-defined]
    bound.__qualname__ = listener.__qualname__  # type: ignore[attr-defined]
    return bound
