"""The Block Kit limits Slack enforces that apps most often trip over.

Slack rejects a message or view whose blocks break these rules (``invalid_blocks``
for messages, ``invalid_arguments`` for views) and explains why in
``response_metadata.messages``; the stand-in does the same so such bugs show up
in tests instead of in production. This is deliberately not a full schema check.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

# Per block type: (field holding a text object, its maximum length).
_TEXT_LIMITS = {"section": 3000, "header": 150}
_OPTION_HOLDERS = ("options", "initial_options")


def _problem(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def text_problems(obj: Any, pointer: str, *, max_length: int, plain_only: bool = False) -> list[str]:
    """Problems with a text object (``{"type": "plain_text", "text": ...}``)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [_problem("must be a text object", pointer)]
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in kinds:
        return [_problem(f"must be one of {', '.join(kinds)}", f"{pointer}/type")]
    if len(obj["text"]) > max_length:
        return [_problem(f"must be less than {max_length + 1} characters", f"{pointer}/text")]
    if not obj["text"]:
        return [_problem("must be more than 0 characters", f"{pointer}/text")]
    return []


def _option_problems(options: Any, pointer: str) -> list[str]:
    if not isinstance(options, list):
        return [_problem("must be an array", pointer)]
    problems: list[str] = []
    if len(options) > 100:
        problems.append(_problem("no more than 100 items allowed", pointer))
    for index, option in enumerate(options):
        where = f"{pointer}/{index}"
        if not isinstance(option, dict):
            problems.append(_problem("must be an option object", where))
            continue
        problems += text_problems(option.get("text"), f"{where}/text", max_length=75)
        value = option.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > 150):
            problems.append(_problem("must be a string of at most 150 characters", f"{where}/value"))
    return problems


def element_problems(element: Any, pointer: str) -> list[str]:
    """Problems with an interactive element (button, select, input, ...)."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [_problem("missing required field: type", pointer)]
    problems: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None and (not isinstance(action_id, str) or len(action_id) > 255):
        problems.append(_problem("must be a string of at most 255 characters", f"{pointer}/action_id"))
    if element["type"] == "button":
        problems += text_problems(element.get("text"), f"{pointer}/text", max_length=75, plain_only=True)
        value = element.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > 2000):
            problems.append(_problem("must be a string of at most 2000 characters", f"{pointer}/value"))
    if "placeholder" in element:
        problems += text_problems(element["placeholder"], f"{pointer}/placeholder", max_length=150, plain_only=True)
    for holder in _OPTION_HOLDERS:
        if holder in element:
            problems += _option_problems(element[holder], f"{pointer}/{holder}")
    for index, group in enumerate(element.get("option_groups") or []):
        problems += _option_problems((group or {}).get("options"), f"{pointer}/option_groups/{index}/options")
    return problems


def _block_problems(block: dict[str, Any], pointer: str) -> list[str]:
    kind = block["type"]
    problems: list[str] = []
    if kind in _TEXT_LIMITS and ("text" in block or kind == "header"):
        problems += text_problems(
            block.get("text"), f"{pointer}/text", max_length=_TEXT_LIMITS[kind], plain_only=kind == "header"
        )
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(_problem("must provide either text or fields", pointer))
        fields = block.get("fields") or []
        if len(fields) > 10:
            problems.append(_problem("no more than 10 items allowed", f"{pointer}/fields"))
        for index, item in enumerate(fields):
            problems += text_problems(item, f"{pointer}/fields/{index}", max_length=2000)
        if "accessory" in block:
            problems += element_problems(block["accessory"], f"{pointer}/accessory")
    elif kind in ("actions", "context"):
        elements = block.get("elements")
        limit = 25 if kind == "actions" else 10
        if not isinstance(elements, list) or not elements or len(elements) > limit:
            problems.append(_problem(f"must hold 1 to {limit} elements", f"{pointer}/elements"))
        elif kind == "actions":
            for index, element in enumerate(elements):
                problems += element_problems(element, f"{pointer}/elements/{index}")
    elif kind == "input":
        problems += text_problems(block.get("label"), f"{pointer}/label", max_length=2000, plain_only=True)
        if "hint" in block:
            problems += text_problems(block["hint"], f"{pointer}/hint", max_length=2000, plain_only=True)
        if "element" not in block:
            problems.append(_problem("missing required field: element", pointer))
        else:
            problems += element_problems(block["element"], f"{pointer}/element")
    return problems


def blocks_problems(blocks: Any, *, pointer: str = "/blocks", max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Problems with a list of blocks; an empty list means Slack would accept them."""
    if not isinstance(blocks, list):
        return [_problem("must be an array", pointer)]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(_problem(f"no more than {max_blocks} items allowed", pointer))
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(_problem("missing required field: type", where))
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > 255:
                problems.append(_problem("must be a string of 1 to 255 characters", f"{where}/block_id"))
            elif block_id in seen_ids:
                problems.append(_problem(f"duplicate block_id {block_id!r}", f"{where}/block_id"))
            else:
                seen_ids.add(block_id)
        problems += _block_problems(block, where)
    return problems


def view_problems(view: Any, *, view_type: str, pointer: str = "/view") -> list[str]:
    """Problems with a modal or Home tab view; an empty list means Slack would accept it."""
    if not isinstance(view, dict):
        return [_problem("must be a view object", pointer)]
    if view.get("type") != view_type:
        return [_problem(f"must be {view_type!r}", f"{pointer}/type")]
    problems = blocks_problems(view.get("blocks"), pointer=f"{pointer}/blocks", max_blocks=MAX_VIEW_BLOCKS)
    if view_type == "modal":
        problems += text_problems(view.get("title"), f"{pointer}/title", max_length=24, plain_only=True)
        for button in ("submit", "close"):
            if view.get(button) is not None:
                problems += text_problems(view[button], f"{pointer}/{button}", max_length=24, plain_only=True)
        blocks = view["blocks"] if isinstance(view.get("blocks"), list) else []
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and view.get("submit") is None:
            problems.append(_problem("must provide submit when input blocks are present", f"{pointer}/submit"))
    for name, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        value = view.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            problems.append(_problem(f"must be a string of at most {limit} characters", f"{pointer}/{name}"))
    return problems
