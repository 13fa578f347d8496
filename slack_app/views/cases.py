"""What organizers see of a case: its card in the channel and the details in its thread."""

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from db.enums import CaseStatus, TimelineKind
from db.queries import CaseFacts, ReportFacts, TimelineFacts
from slack_app.core.ids import CARD_ACTIONS_BLOCK, CaseAction, OwnUpAction
from slack_app.core.mrkdwn import inline
from slack_app.views import own_up as own_up_views
from slack_app.views.code_names import NAMED, People
from slack_app.views.labels import CATEGORY_LABELS, OUTCOME_LABELS, STATUS_LABELS, mention
from slack_app.views.message import Message, quote, slack_date
from workflows.records import HistoryEntry


def case_card(case: CaseFacts, people: People | None = None) -> Message:
    """The card at the top of the case thread: current state at a glance, and the buttons.
    Its notification text carries no report content. With ``people`` (words on demand), the
    people the case names appear by code name."""
    named = people or NAMED
    category = CATEGORY_LABELS[case.category]
    headline = f"*{case.reference}* · {category}"
    if case.urgent and case.status is not CaseStatus.CLOSED:
        # Urgent reports notify every organizer in the channel at once.
        headline = f"<!channel> :rotating_light: *Urgent* · {headline}"
    status = STATUS_LABELS[case.status]
    if case.outcome is not None:
        status += f" ({OUTCOME_LABELS[case.outcome].lower()})"
    fields = [
        MarkdownTextObject(text=f"*Status*\n{status}"),
        MarkdownTextObject(text=f"*Reported*\n{slack_date(case.created_at)}"),
        MarkdownTextObject(text=f"*Involved*\n{named.names_of(case.involved) or 'Nobody named in Slack'}"),
        MarkdownTextObject(text=f"*Reporter*\n{_reporter(case, people)}"),
        MarkdownTextObject(text=f"*Lead*\n{mention(case.assignee_id) if case.assignee_id else 'Unassigned'}"),
        MarkdownTextObject(
            text=f"*Acknowledged*\n{mention(case.acknowledged_by) if case.acknowledged_by else 'Not yet'}"
        ),
    ]
    if case.stepped_back:
        # How many, never who or why.
        fields.append(MarkdownTextObject(text=f"*Stepped back*\n{_organizers(case.stepped_back)}"))
    if case.self_report:
        headline = f":raised_hand: *Self-report* · {headline}"
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=headline)),
        SectionBlock(fields=fields),
    ]
    own_up_state = own_up_views.card_lines(case, named)
    if own_up_state:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=own_up_state)))
        withdraw = own_up_views.withdraw_buttons(case)
        if withdraw is not None:
            blocks.append(withdraw)
    blocks += [
        case_buttons(case),
        ContextBlock(elements=[MarkdownTextObject(text=ON_DEMAND_HINT if people else IN_THREAD_HINT)]),
    ]
    urgency = "Urgent report" if case.urgent else "New report"
    return Message(text=f"{urgency} {case.reference}: {category}", blocks=blocks)


IN_THREAD_HINT = "The report and everything about it is in the thread."
ON_DEMAND_HINT = (
    "Who did what is in the thread. The report's words and the names behind the code names open "
    "with *Open report*, for organizers of this case; each opening is recorded."
)


def case_buttons(case: CaseFacts) -> ActionsBlock:
    value = str(case.id)
    if case.status is CaseStatus.CLOSED:
        return ActionsBlock(
            block_id=CARD_ACTIONS_BLOCK,
            elements=[
                ButtonElement(text="Open report", action_id=CaseAction.OPEN_REPORT, value=value),
                ButtonElement(text="Reopen", action_id=CaseAction.REOPEN, value=value),
                *_step_buttons(case),
            ],
        )
    statuses = [status for status in CaseStatus if status not in (CaseStatus.NEW, CaseStatus.CLOSED)]
    elements = []
    if case.acknowledged_by is None:
        elements.append(
            ButtonElement(text="Acknowledge", action_id=CaseAction.ACKNOWLEDGE, value=value, style="primary")
        )
    elements += [
        ButtonElement(text="Open report", action_id=CaseAction.OPEN_REPORT, value=value),
        ButtonElement(text="Assign", action_id=CaseAction.ASSIGN, value=value),
        StaticSelectElement(
            action_id=CaseAction.STATUS,
            placeholder="Status",
            options=[Option(value=f"{case.id}:{status.value}", text=STATUS_LABELS[status]) for status in statuses],
        ),
        ButtonElement(text="Add note", action_id=CaseAction.NOTE, value=value),
        ButtonElement(
            text="Message reporter" if case.follow_up_allowed else "Reporter declined contact",
            action_id=CaseAction.MESSAGE_REPORTER,
            value=value,
        ),
        ButtonElement(text="Record action", action_id=CaseAction.RECORD_ACTION, value=value),
        ButtonElement(text="Request own-up", action_id=OwnUpAction.REQUEST, value=value),
        ButtonElement(text="Close", action_id=CaseAction.CLOSE, value=value, style="danger"),
        *_step_buttons(case),
    ]
    return ActionsBlock(block_id=CARD_ACTIONS_BLOCK, elements=elements)


def _step_buttons(case: CaseFacts) -> list[ButtonElement]:
    """Anyone may step back, without a reason; whoever did can ask to step back in."""
    buttons = [ButtonElement(text="Step back", action_id=CaseAction.STEP_BACK, value=str(case.id))]
    if case.stepped_back:
        buttons.append(ButtonElement(text="Step back in", action_id=CaseAction.STEP_BACK_IN, value=str(case.id)))
    return buttons


def _organizers(count: int) -> str:
    return "1 organizer" if count == 1 else f"{count} organizers"


def _reporter(case: CaseFacts, people: People | None) -> str:
    if case.reporter_id is None:
        return "Anonymous"
    return "Named (in the report)" if people is not None else mention(case.reporter_id)


def case_details(case: CaseFacts, report: ReportFacts, evidence_link: str | None) -> Message:
    """The first reply in the case thread: the report itself (when the team keeps the words
    in the thread; otherwise they open with "Open report")."""
    lines = [*report_lines(report, evidence_link), preferences(case.reporter_id, case)]
    blocks = [SectionBlock(text=MarkdownTextObject(text=fit(chunk))) for chunk in lines]
    return Message(text=f"Details of {case.reference}", blocks=blocks)


def report_lines(report: ReportFacts, evidence_link: str | None) -> list[str]:
    """The report as organizers read it: what happened, evidence, who else, where, when."""
    lines = [f"*What happened*\n{quote(report.description)}"]
    if report.evidence_ts is not None:
        author = mention(report.evidence_author_id) if report.evidence_author_id else "unknown author"
        link = f"<{evidence_link}|the reported message>" if evidence_link else "the reported message"
        if report.evidence_channel_id and report.evidence_channel_id.startswith("D"):
            link += " (in a direct message)"
        lines.append(f"*Evidence*: {link} by {author}\n{quote(report.evidence_excerpt or '')}")
    if report.others_involved:
        lines.append(f"*Also involved (not in Slack)*: {inline(report.others_involved)}")
    where = [_conversation(report.location_channel_id)] if report.location_channel_id else []
    where += [inline(report.location_text)] if report.location_text else []
    if where:
        lines.append(f"*Where*: {', '.join(where)}")
    if report.occurred_on or report.occurred_at_time:
        when = inline(" ".join(part for part in (report.occurred_on, report.occurred_at_time) if part))
        lines.append(f"*When*: {when} (the reporter's local time)")
    return lines


def _conversation(channel_id: str) -> str:
    # A DM's id belongs to one pair of people: naming it could point at an anonymous reporter.
    return "a direct message" if channel_id.startswith("D") else f"<#{channel_id}>"


def preferences(reporter_id: str | None, case) -> str:
    """Who reported (or that they are anonymous) and what they asked for; ``case`` has
    ``follow_up_allowed`` and ``apology_wanted``."""
    who = (
        "The reporter asked to stay *anonymous*: only the app knows who they are."
        if reporter_id is None
        else f"Reported by {mention(reporter_id)}."
    )
    follow_up = (
        "You may follow up with them through Speak Out."
        if case.follow_up_allowed
        else "They asked *not to be followed up with*."
    )
    apology = (
        "If the other person apologizes, ask them first before passing it on."
        if case.apology_wanted
        else "They *don't want to receive an apology*."
    )
    return f"{who} {follow_up} {apology}"


def reporter_message(case: CaseFacts, text: str, *, on_demand: bool = False) -> Message:
    """Something the reporter wrote to the app, relayed into the thread (on demand: that they
    wrote, and where to read it)."""
    who = "The reporter" if case.reporter_id is None or on_demand else mention(case.reporter_id)
    if on_demand:
        body = f"*{who} added information.* {READ_IT}"
        return Message(
            text=f"{case.reference}: the reporter added information",
            blocks=[SectionBlock(text=MarkdownTextObject(text=body))],
        )
    body = f"*{who} added:*\n{quote(text)}"
    return Message(
        text=f"{case.reference}: the reporter added information",
        blocks=[SectionBlock(text=MarkdownTextObject(text=fit(body)))],
    )


def fit(text: str, limit: int = 3000) -> str:
    # A section's text is capped at 3,000 characters; the full text stays on the case.
    return text if len(text) <= limit else text[: limit - 40] + "\n_(continues: see the case record)_"


READ_IT = "Read it with *Open report* on the card."


def thread_line(entry: TimelineFacts, people: People | None = None) -> Message:
    """One change on the case, as a line in its thread: who did what, when. With ``people``
    (words on demand), the case's people by code name and the words themselves left out."""
    named = people or NAMED
    who = named.name(entry.actor_id) if entry.actor_id else "Speak Out"
    summary = named.in_text(entry.summary)
    line = f"{who} · {summary[:1].lower() + summary[1:]} · {slack_date(entry.at)}"
    if entry.body and people is not None:
        line += f"\n_{READ_IT}_"
    elif entry.body:
        label = BODY_LABELS.get(entry.kind, "")
        line += f"\n{label}{quote(entry.body)}"
    return Message(
        text=f"{entry.reference}: {summary}"[:150] if entry.kind not in PRIVATE_KINDS else entry.reference,
        blocks=[SectionBlock(text=MarkdownTextObject(text=fit(line)))],
    )


# Timeline kinds whose body is someone's words: kept out of notification text.
PRIVATE_KINDS = {TimelineKind.NOTE, TimelineKind.MESSAGE_TO_REPORTER, TimelineKind.CLOSED, TimelineKind.REOPENED}
BODY_LABELS = {
    TimelineKind.NOTE: ":memo: Note:\n",
    TimelineKind.MESSAGE_TO_REPORTER: "Sent to the reporter in Speak Out's name:\n",
    TimelineKind.ACTION_RECORDED: "Why:\n",
    TimelineKind.CLOSED: "Summary:\n",
    TimelineKind.REOPENED: "Why:\n",
}


def pattern_note(earlier: list[HistoryEntry], people: People | None = None) -> Message:
    """Repeat behaviour: earlier cases in this channel that named the same people. References,
    dates and outcomes only, never who reported them."""
    lines = [":repeat: *Named before in this channel*"]
    for entry in earlier:
        state = STATUS_LABELS[entry.status]
        if entry.outcome is not None:
            state += f": {OUTCOME_LABELS[entry.outcome].lower()}"
        lines.append(
            f"• {(people or NAMED).names_of(entry.names)} in *{entry.reference}* ({entry.created_at:%Y-%m-%d}, "
            f"{CATEGORY_LABELS[entry.category].lower()}, {state.lower()})"
        )
    return Message(
        text="Named in earlier cases", blocks=[SectionBlock(text=MarkdownTextObject(text=fit("\n".join(lines))))]
    )
