"""Organizers' records as the command line shows them: a case as a person reads it
(Markdown) or as a machine does (JSON), and the cases that name a person, one line each.

The records come from ``workflows.records`` already masked; nothing here looks anything up.
"""

import json
import re
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from db.enums import Routing
from slack_app.views.labels import (
    ACCESS_LABELS,
    ACTION_LABELS,
    ACTION_RESULT_LABELS,
    CATEGORY_LABELS,
    OUTCOME_LABELS,
    ROUTING_LABELS,
    STATUS_LABELS,
    TIMELINE_LABELS,
    label,
)
from workflows.records import (
    ANONYMOUS,
    APP,
    THE_REPORTER,
    ActionRecord,
    CaseRecord,
    HistoryEntry,
    ReportRecord,
    TimelineRecord,
)


def render_json(record: CaseRecord) -> str:
    """Keys in a fixed order, datetimes in ISO 8601 UTC, enums as their values."""
    return json.dumps(_plain(asdict(record)), indent=2, ensure_ascii=False) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, StrEnum):
        return value.value
    return value


def utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def render_markdown(record: CaseRecord) -> str:
    sections = [
        f"# {record.reference}",
        _details(record),
        "## What happened\n\n" + _quote(record.report.description) + _report_details(record.report),
    ]
    if record.closing_summary:
        sections.append("## Closing summary\n\n" + _quote(record.closing_summary))
    sections.append("## Actions\n\n" + ("\n".join(_action_lines(record.actions)) or "No actions recorded."))
    sections.append("## Timeline\n\n" + "\n".join(_timeline_lines(record.timeline)))
    sections.append("## Access log\n\n" + ("\n".join(_access_lines(record)) or "Nobody has opened its words yet."))
    return "\n\n".join(sections) + "\n"


def _details(record: CaseRecord) -> str:
    acknowledged = "not yet"
    if record.acknowledged_by:
        acknowledged = _person(record.acknowledged_by)
        if record.acknowledged_at:
            acknowledged += f", {utc(record.acknowledged_at)}"
    where = label(ROUTING_LABELS, record.routing) + (f" {_channel(record.channel_id)}" if record.channel_id else "")
    rows = [
        ("Category", label(CATEGORY_LABELS, record.category)),
        ("Status", label(STATUS_LABELS, record.status)),
        ("Outcome", label(OUTCOME_LABELS, record.outcome) if record.outcome else None),
        ("Urgent", "yes" if record.urgent else "no"),
        ("Reported", utc(record.created_at)),
        (
            "Reported by",
            "anonymous (the reporter chose not to be named)" if record.anonymous else _person(record.reporter),
        ),
        ("Involved", ", ".join(_person(user_id) for user_id in record.involved) or "nobody named in Slack"),
        ("Lives in", where),
        (
            "Follow-up",
            "the reporter may be contacted" if record.follow_up_allowed else "the reporter asked not to be contacted",
        ),
        ("Apology", "the reporter would like an apology" if record.apology_wanted else "not asked for"),
        ("Lead", _person(record.assignee_id) if record.assignee_id else "nobody yet"),
        ("Acknowledged", acknowledged),
        ("Closed", utc(record.closed_at) if record.closed_at else None),
    ]
    return "\n".join(f"- **{name}:** {value}" for name, value in rows if value is not None)


def _report_details(report: ReportRecord) -> str:
    where = [_channel(report.location_channel_id) if report.location_channel_id else None, report.location_text]
    when = " ".join(part for part in (report.occurred_on, report.occurred_at_time) if part)
    rows = [
        ("Where", ", ".join(_inline(part) for part in where if part) or None),
        ("When", f"{when} (the reporter's local time)" if report.occurred_at_time else when or None),
        ("Others involved, not in Slack", _inline(report.others_involved) if report.others_involved else None),
    ]
    lines = [f"- **{name}:** {value}" for name, value in rows if value]
    if report.evidence_excerpt is not None:
        author = _person(report.evidence_author_id) if report.evidence_author_id else "someone"
        place = f" in {_channel(report.evidence_channel_id)}" if report.evidence_channel_id else ""
        lines.append(f"- **Evidence:** a message by {author}{place}:\n" + _quote(report.evidence_excerpt, "  "))
    return "\n\n" + "\n".join(lines) if lines else ""


def _action_lines(actions: tuple[ActionRecord, ...]) -> list[str]:
    lines = []
    for number, action in enumerate(actions, start=1):
        subject = f" for {_person(action.subject_id)}" if action.subject_id else ""
        result = label(ACTION_RESULT_LABELS, action.result)
        if action.result_detail:
            result += f" ({_slack_text(action.result_detail)})"
        lines.append(f"{number}. **{label(ACTION_LABELS, action.kind)}**{subject}, {utc(action.at)}")
        lines.append(f"   - Decided by: {_person(action.decided_by)}")
        lines.append("   - Reason:\n" + _quote(action.reason, "     "))
        if action.message:
            lines.append("   - Message sent to them:\n" + _quote(action.message, "     "))
        if action.channel_ids:
            lines.append("   - Channels: " + ", ".join(_channel(channel) for channel in action.channel_ids))
        lines.append(f"   - Result: {result}")
    return lines


def _timeline_lines(timeline: tuple[TimelineRecord, ...]) -> list[str]:
    lines = []
    for entry in timeline:
        actor = entry.actor if entry.actor in (APP, THE_REPORTER) else _person(entry.actor)
        summary = f": {_slack_text(entry.summary)}" if entry.summary else ""
        lines.append(f"- {utc(entry.at)} · {label(TIMELINE_LABELS, entry.kind)} · {actor}{summary}")
        if entry.body:
            lines.append(_quote(entry.body, "  "))
    return lines


def _access_lines(record: CaseRecord) -> list[str]:
    return [
        f"- {utc(entry.at)} · {entry.who if entry.who.startswith('cli:') else _person(entry.who)} · "
        f"{label(ACCESS_LABELS, entry.what)}"
        for entry in record.access_log
    ]


def _person(user_id: str) -> str:
    return user_id if user_id in (ANONYMOUS, THE_REPORTER) else f"@{user_id}"


def _channel(channel_id: str) -> str:
    return f"#{channel_id}"


_SLACK_LINK = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]*))?>")


def _slack_text(text: str) -> str:
    """Slack's <@U123> and <#C123|name> as a person reads them outside Slack."""
    return _SLACK_LINK.sub(lambda match: ("#" if match[1] == "#" else "@") + (match[3] or match[2]), text)


def _inline(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str, indent: str = "") -> str:
    return "\n".join(f"{indent}> {_slack_text(line)}".rstrip() for line in text.splitlines() or [""])


def render_history(user_id: str, entries: list[HistoryEntry]) -> str:
    """A person's cases, one line each, for the command line."""
    if not entries:
        return f"No cases name {user_id}.\n"
    count = f"{len(entries)} case" + ("" if len(entries) == 1 else "s")
    lines = [f"{user_id} is named in {count}:"]
    for entry in entries:
        parts = [label(CATEGORY_LABELS, entry.category), f"status: {label(STATUS_LABELS, entry.status)}"]
        if entry.outcome:
            parts.append(f"outcome: {label(OUTCOME_LABELS, entry.outcome)}")
        if entry.routing is not Routing.ORGANIZERS:
            parts.append(_ROUTING_WORDS[entry.routing])
        lines.append(f"{entry.reference}  {entry.created_at.astimezone(UTC):%Y-%m-%d}  " + "; ".join(parts))
    return "\n".join(lines) + "\n"


_ROUTING_WORDS = {Routing.PENDING: "not routed yet", Routing.ESCALATED: "escalated", Routing.HELD: "held"}
