"""Every Slack identifier the app defines: commands, callback ids, action ids and block ids."""

from enum import StrEnum


class Command(StrEnum):
    REPORT = "/report"


class Callback(StrEnum):
    REPORT_SHORTCUT = "report_message"
    REPORT_MODAL = "report_modal"
    REPORT_SENT = "report_sent"


class Block(StrEnum):
    DESCRIPTION = "description"
    CATEGORY = "category"
    INVOLVED = "involved"
    OTHERS_INVOLVED = "others_involved"
    LOCATION_CHANNEL = "location_channel"
    LOCATION_TEXT = "location_text"
    OCCURRED_ON = "occurred_on"
    OCCURRED_AT = "occurred_at"
    URGENT = "urgent"
    ANONYMITY = "anonymity"
    DM_WARNING = "dm_warning"
    FOLLOW_UP = "follow_up"
    APOLOGY = "apology"


class Action(StrEnum):
    DESCRIPTION = "description_input"
    CATEGORY = "category_select"
    INVOLVED = "involved_select"
    OTHERS_INVOLVED = "others_involved_input"
    LOCATION_CHANNEL = "location_channel_select"
    LOCATION_TEXT = "location_text_input"
    OCCURRED_ON = "occurred_on_picker"
    OCCURRED_AT = "occurred_at_picker"
    URGENT = "urgent_checkbox"
    ANONYMITY = "anonymity_choice"
    FOLLOW_UP = "follow_up_choice"
    APOLOGY = "apology_choice"


class Choice(StrEnum):
    """Option values of the report modal's radio buttons and checkboxes."""

    NAMED = "named"
    ANONYMOUS = "anonymous"
    FOLLOW_UP_YES = "follow_up"
    FOLLOW_UP_NO = "no_follow_up"
    APOLOGY_ASK = "ask_me"
    APOLOGY_NO = "no_apology"
    URGENT = "urgent"


# The modal field that shows each workflow validation error.
FIELD_BLOCKS: dict[str, Block] = {
    "description": Block.DESCRIPTION,
    "category": Block.CATEGORY,
    "involved": Block.INVOLVED,
    "others_involved": Block.OTHERS_INVOLVED,
    "location_text": Block.LOCATION_TEXT,
}
