"""Every Slack identifier the app defines: commands, callback ids, action ids and block ids."""

from enum import StrEnum


class Command(StrEnum):
    REPORT = "/report"
    OWN_UP = "/ownup"


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


class CaseAction(StrEnum):
    """Buttons and menus on a case card; each carries the case id as its value."""

    ACKNOWLEDGE = "case_acknowledge"
    ASSIGN = "case_assign"
    STATUS = "case_status"
    NOTE = "case_note"
    MESSAGE_REPORTER = "case_message_reporter"
    RECORD_ACTION = "case_record_action"
    CLOSE = "case_close"
    REOPEN = "case_reopen"
    OPEN_REPORT = "case_open_report"
    STEP_BACK = "case_step_back"
    STEP_BACK_IN = "case_step_back_in"
    # In the DM to the organizer asked to confirm a return (value: "case id:step-back id").
    CONFIRM_STEP_IN = "case_confirm_step_in"
    DECLINE_STEP_IN = "case_decline_step_in"


class CaseModal(StrEnum):
    ASSIGN = "case_assign_modal"
    NOTE = "case_note_modal"
    MESSAGE_REPORTER = "case_message_modal"
    RECORD_ACTION = "case_action_modal"
    CONFIRM_ACTION = "case_confirm_action_modal"
    CLOSE = "case_close_modal"
    REOPEN = "case_reopen_modal"
    REPORT = "case_report_modal"
    STEP_BACK_IN = "case_step_in_modal"


class CaseField(StrEnum):
    """Block ids of the case modals; they match the workflow's field names, so an
    ``InvalidInput(field, ...)`` lands on its input. Each input's action id is ``<block>_input``."""

    ASSIGNEE = "assignee"
    NOTE = "note"
    MESSAGE = "message"
    KIND = "kind"
    SUBJECT = "subject"
    REASON = "reason"
    DECIDED_BY = "decided_by"
    CHANNELS = "channels"
    OUTCOME = "outcome"
    SUMMARY = "summary"
    CONFIRMER = "confirmer"

    @property
    def action(self) -> str:
        return f"{self.value}_input"


CARD_ACTIONS_BLOCK = "case_actions"


class OwnUpAction(StrEnum):
    """Buttons of the own-up flow; each carries the own-up id (and, for answers, the choice)."""

    REQUEST = "case_request_own_up"  # on the case card (value: case id)
    APOLOGIZE = "own_up_apologize"
    TALK = "own_up_talk"
    DIFFERENTLY = "own_up_differently"
    DELIVER = "own_up_deliver"
    ASK_CHANGES = "own_up_ask_changes"
    DONT_DELIVER = "own_up_dont_deliver"
    WITHDRAW = "own_up_withdraw"
    READ_YES = "apology_read_yes"
    READ_NO = "apology_read_no"
    ANSWER = "apology_answer"


class OwnUpModal(StrEnum):
    REQUEST = "own_up_request_modal"
    APOLOGY = "own_up_apology_modal"
    TALK = "own_up_talk_modal"
    DIFFERENTLY = "own_up_account_modal"
    ASK_CHANGES = "own_up_changes_modal"
    DONT_DELIVER = "own_up_dont_deliver_modal"
    SELF_REPORT = "self_report_modal"


class OwnUpField(StrEnum):
    """Block ids matching the own-up workflow's field names; action ids are ``<block>_input``."""

    SUBJECT = "subject"
    DESCRIPTION = "description"
    COC_PART = "coc_part"
    DEADLINE = "deadline"
    ACKNOWLEDGEMENT = "acknowledgement"
    APOLOGY = "apology"
    CHANGE = "change"
    MESSAGE = "message"
    ACCOUNT = "account"
    NOTE = "note"
    REASON = "reason"
    WHAT = "what"
    AFFECTED = "affected"

    @property
    def action(self) -> str:
        return f"{self.value}_input"
