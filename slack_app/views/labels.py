"""Words people read for the domain's values, shared by the Slack views and the CLI's records,
and Slack mentions.

Lookups go through ``label()`` so a value added to an enum later still reads as words.
"""

import re
from enum import StrEnum

from db.enums import AccessKind, ActionKind, ActionResult, CaseStatus, Category, Outcome, Routing, TimelineKind
from slack_app.core.mrkdwn import inline

_SLACK_ID = re.compile(r"[A-Z0-9]{2,32}")

CATEGORY_LABELS: dict[Category, str] = {
    Category.HARASSMENT: "Harassment or intimidation",
    Category.DISCRIMINATION: "Demeaning, discriminatory or exclusionary comments or jokes",
    Category.STALKING: "Stalking, following, or unwanted photography or recording",
    Category.SEXUAL_ATTENTION: "Unwelcome sexual attention or inappropriate contact",
    Category.DISRUPTION: "Sustained disruption of a talk or session",
    Category.SPAM: "Spam, scraped contacts or unsolicited pitches",
    Category.OTHER: "Something else that felt disrespectful, threatening, or just off",
}

STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.NEW: "New",
    CaseStatus.ACKNOWLEDGED: "Acknowledged",
    CaseStatus.INVESTIGATING: "Investigating",
    CaseStatus.ACTION_TAKEN: "Action taken",
    CaseStatus.RESOLVED: "Resolved",
    CaseStatus.CLOSED: "Closed",
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ACTION_TAKEN: "Action taken",
    Outcome.NO_ACTION_NEEDED: "No action needed",
    Outcome.UNRESOLVED: "Could not be resolved",
    Outcome.WITHDRAWN: "Withdrawn by the reporter",
}

ACTION_LABELS: dict[ActionKind, str] = {
    ActionKind.ASKED_TO_STOP: "Asked to stop (a message from the organizers)",
    ActionKind.FORMAL_WARNING: "Formal warning",
    ActionKind.NO_CONTACT: "Asked not to contact the reporter",
    ActionKind.EXCLUDED_FROM_SOCIALS: "Excluded from social events",
    ActionKind.SESSION_ENDED: "Talk or session ended",
    ActionKind.RECORDING_WITHHELD: "Recording withheld",
    ActionKind.BARRED_FROM_SPEAKING: "Barred from speaking or volunteering",
    ActionKind.REMOVED_FROM_CHANNEL: "Removed from channels",
    ActionKind.EXPELLED: "Expelled from the event",
}

ACTION_RESULT_LABELS: dict[ActionResult, str] = {
    ActionResult.RECORDED: "Recorded",
    ActionResult.AWAITING_CONFIRMATION: "Waiting for an organizer to confirm carrying it out",
    ActionResult.PENDING: "Being carried out in Slack",
    ActionResult.CANCELLED: "Not carried out in Slack (called off; the decision stays recorded)",
    ActionResult.DONE: "Carried out in Slack",
    ActionResult.FAILED: "Could not be carried out in Slack",
}

ROUTING_LABELS: dict[Routing, str] = {
    Routing.PENDING: "Not routed yet",
    Routing.ORGANIZERS: "Organizers' channel",
    Routing.ESCALATED: "Escalation channel (an organizer is named)",
    Routing.HELD: "Held: an organizer is named and no channel without them is available",
}

TIMELINE_LABELS: dict[TimelineKind, str] = {
    TimelineKind.CREATED: "Report received",
    TimelineKind.ROUTED: "Routed",
    TimelineKind.HELD: "Held",
    TimelineKind.ACKNOWLEDGED: "Acknowledged",
    TimelineKind.ASSIGNED: "Assigned",
    TimelineKind.STATUS_CHANGED: "Status changed",
    TimelineKind.NOTE: "Note",
    TimelineKind.MESSAGE_TO_REPORTER: "Message to the reporter",
    TimelineKind.REPORTER_MESSAGE: "Message from the reporter",
    TimelineKind.ACTION_RECORDED: "Action recorded",
    TimelineKind.ACTION_CARRIED_OUT: "Action carried out",
    TimelineKind.CLOSED: "Closed",
    TimelineKind.REOPENED: "Reopened",
    TimelineKind.OWN_UP: "Own-up",
    TimelineKind.PURGED: "Erased",
    TimelineKind.MESSAGES_DELETED: "Slack messages deleted",
    TimelineKind.STEPPED_BACK: "Stepped back",
    TimelineKind.STEPPED_IN: "Stepped back in",
}


ACCESS_LABELS: dict[AccessKind, str] = {
    AccessKind.REPORT_OPENED: "opened the report in Slack",
    AccessKind.RECORD_SHOWN: "showed the record (speakout case show)",
    AccessKind.EXPORTED: "exported the record",
    AccessKind.HISTORY_LOOKUP: "looked up a person's history, which lists this case",
}


def label(labels: dict, value: StrEnum) -> str:
    """The words for ``value``; an enum member without words yet reads as its value."""
    return labels.get(value) or value.value.replace("_", " ").capitalize()


def mention(user_id: str) -> str:
    # Ids are checked where they come in; one that isn't an id shows as text, never as markup.
    return f"<@{user_id}>" if _SLACK_ID.fullmatch(user_id) else inline(user_id)


def mentions(user_ids: list[str]) -> str:
    return ", ".join(mention(user_id) for user_id in user_ids)
