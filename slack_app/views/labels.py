"""Words people read for the domain's values."""

from db.models import ActionKind, CaseStatus, Category, Outcome

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


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def mentions(user_ids: list[str]) -> str:
    return ", ".join(mention(user_id) for user_id in user_ids)
