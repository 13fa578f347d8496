"""Words people read for the domain's values."""

from db.models import CaseStatus, Category

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


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def mentions(user_ids: list[str]) -> str:
    return ", ".join(mention(user_id) for user_id in user_ids)
