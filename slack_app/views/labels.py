"""Words people read for the domain's values (defined in workflows.labels), and Slack mentions."""

from workflows.labels import ACTION_LABELS, CATEGORY_LABELS, OUTCOME_LABELS, STATUS_LABELS

__all__ = ["ACTION_LABELS", "CATEGORY_LABELS", "OUTCOME_LABELS", "STATUS_LABELS", "mention", "mentions"]


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def mentions(user_ids: list[str]) -> str:
    return ", ".join(mention(user_id) for user_id in user_ids)
