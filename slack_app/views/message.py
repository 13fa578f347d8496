"""A chat message as the app sends it: fallback text (what notifications show) plus blocks."""

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from slack_app.core.mrkdwn import escape


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [block.to_dict() for block in self.blocks] or None}


def quote(text: str) -> str:
    """Slack's block quote for every line of someone's words, escaped: a quoted line can't ping,
    link, or end the quote early."""
    return "\n".join(">" + escape(line) for line in text.splitlines() or [""])


def slack_date(moment, fallback_format: str = "%Y-%m-%d %H:%M UTC") -> str:
    """A date each reader sees in their own time zone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{moment.strftime(fallback_format)}>"


def section(text: str) -> SectionBlock:
    """A section of Markdown, cut to the 3,000 characters Slack allows in one."""
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))
