""" "Open report": the modal in which an organizer of a case reads its words, the names behind
its code names, everything written on it, and who opened it before."""

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from db.enums import TimelineKind
from slack_app.core.ids import CaseModal
from slack_app.views.cases import fit, preferences, report_lines
from slack_app.views.code_names import People
from slack_app.views.labels import ACCESS_LABELS, CATEGORY_LABELS, TIMELINE_LABELS, label, mention
from slack_app.views.message import quote, slack_date
from workflows.disclosure import CaseWords, OwnUpRecord
from workflows.records import ANONYMOUS, APP, THE_REPORTER

MAX_BLOCKS = 100  # Slack's limit for a modal
OPENED = "You opened this now; each opening is recorded in the case's access log, with who and when."
OWN_UP_TEXTS = (
    ("description", "Asked of them"),
    ("acknowledgement", "What they acknowledge"),
    ("apology", "Their apology"),
    ("change", "What they will do differently"),
    ("account", "How they see it"),
    ("review_note", "Changes the organizers asked for"),
    ("not_delivered_reason", "Why it was not delivered"),
)


def report_words_modal(words: CaseWords, people: People, evidence_link: str | None) -> View:
    record = words.record
    reporter_id = None if record.anonymous else record.reporter
    sections = [
        f"*{record.reference}* · {CATEGORY_LABELS[record.category]}",
        _who_is_who(people, reporter_id),
        *report_lines(record.report, evidence_link),
        preferences(reporter_id, record),
        *_written(words),
        *(_own_up(own_up, people) for own_up in words.own_ups),
        _access_log(words),
    ]
    blocks: list = [ContextBlock(elements=[MarkdownTextObject(text=OPENED)])]
    blocks += [SectionBlock(text=MarkdownTextObject(text=fit(text))) for text in sections if text]
    if len(blocks) > MAX_BLOCKS:
        more = f"_…and more: the whole record is in `speakout case show {record.reference}`._"
        blocks = [*blocks[: MAX_BLOCKS - 1], SectionBlock(text=MarkdownTextObject(text=more))]
    return View(type="modal", callback_id=CaseModal.REPORT, title=record.reference, close="Close", blocks=blocks)


def _who_is_who(people: People, reporter_id: str | None) -> str:
    lines = [f"{code}: {mention(user_id)}" for user_id, code in people.names.items() if user_id != reporter_id]
    lines.append(f"The reporter: {mention(reporter_id)}" if reporter_id else "The reporter: anonymous")
    return "*Who is who*\n" + "\n".join(lines)


def _written(words: CaseWords) -> list[str]:
    """Every text written on the case after the report: notes, messages both ways, reasons."""
    written = []
    for entry in words.record.timeline:
        if not entry.body:
            continue
        who = entry.actor if entry.actor in (APP, THE_REPORTER, ANONYMOUS) else mention(entry.actor)
        kind = label(TIMELINE_LABELS, entry.kind) if entry.kind is not TimelineKind.OWN_UP else "Own-up"
        written.append(f"*{kind}* · {who} · {slack_date(entry.at)}\n{quote(entry.body)}")
    return written


def _own_up(own_up: OwnUpRecord, people: People) -> str:
    lines = [f"*Own-up of {people.name(own_up.subject_id)}* ({own_up.state.value.replace('_', ' ')})"]
    for field, heading in OWN_UP_TEXTS:
        text = getattr(own_up, field)
        if text:
            lines.append(f"_{heading}_\n{quote(text)}")
    return "\n".join(lines)


def _access_log(words: CaseWords) -> str:
    entries = words.record.access_log[-10:]
    lines = [
        f"{entry.who if entry.who.startswith('cli:') else mention(entry.who)} · "
        f"{label(ACCESS_LABELS, entry.what)} · {slack_date(entry.at)}"
        for entry in entries
    ]
    return "*Access log* (latest 10)\n" + "\n".join(lines)
