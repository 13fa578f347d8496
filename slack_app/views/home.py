"""The App Home tab: organizers' open cases, and for everyone how to report, the Code of
Conduct and their own reports. Pure functions of plain data."""

import re
from datetime import datetime, timedelta

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from db.enums import CaseStatus
from db.health_queries import FailedDelivery
from db.home_queries import OPEN_STATUSES, OpenCase, OpenCases, OwnReports
from slack_app.core.ids import Command
from slack_app.views.labels import CATEGORY_LABELS, STATUS_LABELS, mention

ACK_OVERDUE_AFTER = timedelta(minutes=30)
SECTION_MAX = 3000
COC_SECTIONS_MAX = 40  # of 100 blocks a Home tab may have

HOW_TO_REPORT = (
    "*Something felt wrong? Tell the organizers.*\n"
    f"Type `{Command.REPORT}` in any conversation, or open the *More actions* menu (⋯) of a message "
    "and choose *Report this message*. Only the event's organizers read reports, "
    "and you can choose to stay anonymous."
)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _home(blocks: list[Block]) -> View:
    return View(type="home", blocks=blocks)


# -- organizers ---------------------------------------------------------------------------


def _failed_deliveries(failed: list[FailedDelivery], total: int) -> list[Block]:
    """Messages Slack refused for good: nothing is dropped silently, and here is what to fix."""
    if not total:
        return []
    lines = [f":warning: *{total} message(s) could not be delivered to Slack*"]
    lines += [f"• {item.reference or 'Speak Out'} ({item.kind.replace('_', ' ')}): {item.error}" for item in failed]
    return [_section("\n".join(lines))]


def organizer_home(
    cases: OpenCases,
    own: OwnReports,
    *,
    now: datetime,
    workspace_url: str | None,
    ack_overdue_after: timedelta = ACK_OVERDUE_AFTER,
    failed: tuple[list[FailedDelivery], int] = ([], 0),
) -> View:
    """Open cases the organizer may see, grouped by status, then the reports they filed."""
    blocks: list[Block] = [
        HeaderBlock(text="Open cases"),
        _context("Cases in the channels you're in. A case that names you is never shown to you."),
    ]
    blocks += _failed_deliveries(*failed)
    if not cases.cases:
        blocks.append(_section("No open cases right now."))
    for status in OPEN_STATUSES:
        shown = [case for case in cases.cases if case.status is status]
        if not shown:
            continue
        blocks += [DividerBlock(), _section(f"*{STATUS_LABELS[status]}* ({cases.counts.get(status, len(shown))})")]
        blocks += [_section(_case_line(case, now, workspace_url, ack_overdue_after)) for case in shown]
    if cases.not_shown > 0:
        noun = "case" if cases.not_shown == 1 else "cases"
        blocks.append(_context(f"…and {cases.not_shown} more open {noun}."))
    if own.reports:
        blocks += [DividerBlock(), *_own_reports(own)]
    return _home(blocks)


def _case_line(case: OpenCase, now: datetime, workspace_url: str | None, ack_overdue_after: timedelta) -> str:
    link = thread_link(workspace_url, case.channel_id, case.card_ts)
    reference = f"<{link}|{case.reference}>" if link else case.reference
    headline = f"*{reference}* · {CATEGORY_LABELS[case.category]}"
    if case.urgent:
        headline = f":rotating_light: *Urgent* · {headline}"
    details = [f"{age(now - case.created_at)} old", mention(case.assignee_id) if case.assignee_id else "Unassigned"]
    if is_ack_overdue(case, now, ack_overdue_after):
        details.append(":warning: *Acknowledgement overdue*")
    return f"{headline}\n{' · '.join(details)}"


def is_ack_overdue(case: OpenCase, now: datetime, after: timedelta = ACK_OVERDUE_AFTER) -> bool:
    return case.status is CaseStatus.NEW and now - case.created_at > after


def age(elapsed: timedelta) -> str:
    """A short age: "5m", "3h", "2d"."""
    minutes = max(int(elapsed.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


def thread_link(workspace_url: str | None, channel_id: str, card_ts: str | None) -> str | None:
    """The permalink of a case card: its thread holds the case."""
    if not workspace_url or not card_ts:
        return None
    return f"{workspace_url.rstrip('/')}/archives/{channel_id}/p{card_ts.replace('.', '')}"


# -- everyone -----------------------------------------------------------------------------


def participant_home(own: OwnReports, coc: tuple[str, ...]) -> View:
    """How to report, the Code of Conduct in short, and the status of the viewer's own reports."""
    blocks: list[Block] = [HeaderBlock(text="Speak Out"), _section(HOW_TO_REPORT), DividerBlock()]
    blocks += [_section(chunk) for chunk in coc[:COC_SECTIONS_MAX]]
    blocks.append(DividerBlock())
    if own.reports:
        blocks += _own_reports(own)
    else:
        blocks.append(_context("Reports you send will show here with their status."))
    return _home(blocks)


def _own_reports(own: OwnReports) -> list[Block]:
    lines = [
        f"*{report.reference}* · {STATUS_LABELS[report.status]} · filed {_date(report.filed_at)}"
        for report in own.reports
    ]
    blocks: list[Block] = [_section("*Your own reports*\n" + "\n".join(lines))]
    if own.not_shown > 0:
        blocks.append(_context(f"…and {own.not_shown} older {'report' if own.not_shown == 1 else 'reports'}."))
    return blocks


def _date(moment: datetime) -> str:
    """A date each reader sees in their own time zone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}}|{moment:%Y-%m-%d}>"


# -- the Code of Conduct ------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-+*]\s+")


def coc_sections(markdown: str, limit: int = SECTION_MAX) -> tuple[str, ...]:
    """Simple Markdown as Slack mrkdwn, split at paragraphs into sections of at most ``limit``."""
    paragraphs = [_mrkdwn(part) for part in re.split(r"\n\s*\n", markdown.strip()) if part.strip()]
    chunks: list[str] = []
    for paragraph in paragraphs:
        for piece in _split(paragraph, limit):
            if chunks and len(chunks[-1]) + 2 + len(piece) <= limit:
                chunks[-1] += "\n\n" + piece
            else:
                chunks.append(piece)
    return tuple(chunks)


def _mrkdwn(paragraph: str) -> str:
    lines = []
    for line in paragraph.splitlines():
        line = line.rstrip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        heading = _HEADING.match(line)
        if heading:
            line = f"**{heading.group(1).strip('*')}**"
        line = _BULLET.sub(lambda m: m.group(1) + "• ", line)
        lines.append(_BOLD.sub(r"*\1*", line))
    return "\n".join(lines)


def _split(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces
