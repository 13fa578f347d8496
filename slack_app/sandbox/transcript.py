"""Block Kit as a person would read it: plain lines of text, for the demo and for tests."""

import re
from collections.abc import Callable, Mapping
from typing import Any

Names = Callable[[str], str]

_USER = re.compile(r"<@([A-Z0-9]+)>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
_SPECIAL = re.compile(r"<!(channel|here|everyone)>")


def plain(text: str, names: Names = lambda user_id: user_id) -> str:
    """mrkdwn to what Slack shows: @names, #channels, local dates, link labels."""
    text = _USER.sub(lambda m: "@" + names(m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or names(m.group(1))), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    # A zero-width space (how the app breaks a code fence someone typed) is not seen.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("\u200b", "")


def _text(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, Mapping) else ""


def block_lines(blocks: list[Mapping[str, Any]], names: Names = lambda u: u) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            if block.get("text"):
                lines.append(plain(_text(block["text"]), names))
            for field in block.get("fields") or []:
                lines.append(plain(_text(field), names).replace("\n", ": ", 1))
        elif kind == "context":
            lines.append(" ".join(plain(_text(element), names) for element in block.get("elements", [])))
        elif kind == "input":
            lines.append(f"[{_text(block.get('label'))}]" + ("" if block.get("optional") else " (required)"))
            for option in block.get("element", {}).get("options") or []:
                lines.append(f"  ( ) {_text(option.get('text'))}")
        elif kind == "actions":
            labels = [
                _text(element.get("text")) or (_text(element.get("placeholder")) + " ▾")
                for element in block.get("elements", [])
            ]
            lines.append(" ".join(f"[{label}]" for label in labels if label))
        elif kind == "divider":
            lines.append("---")
    return lines


def message_text(message: Mapping[str, Any], names: Names = lambda u: u) -> str:
    blocks = message.get("blocks") or []
    return "\n".join(block_lines(blocks, names)) if blocks else plain(message.get("text") or "", names)


def view_text(view: Mapping[str, Any], names: Names = lambda u: u) -> str:
    title = _text(view.get("title"))
    buttons = [f"[{_text(view.get(name))}]" for name in ("close", "submit") if view.get(name)]
    return "\n".join([f"== {title} ==", *block_lines(view.get("blocks") or [], names), " ".join(buttons)])
