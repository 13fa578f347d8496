"""Every kind of message the domain asks to be sent, shared by the notifier that queues them
and the delivery handlers that send them (``slack_app.delivery``). The values are stored in
the outbox, so a member is never renamed: add a new one instead."""

from enum import StrEnum


class MessageKind(StrEnum):
    # The case card and its thread, in the organizers' (or escalation) channel.
    CASE_CARD = "case_card"
    CASE_DETAILS = "case_details"
    CARD_UPDATE = "card_update"
    THREAD_LINE = "thread_line"
    PATTERN_NOTE = "pattern_note"
    REPORTER_MESSAGE = "reporter_message"
    OWN_UP_REVIEW = "own_up_review"
    ACK_REMINDER = "ack_reminder"
    ACK_ESCALATION = "ack_escalation"
    STALE_NUDGE = "stale_nudge"
    # Work done in Slack on the organizers' behalf.
    CARRY_OUT_ACTION = "carry_out_action"
    # A purged case's own messages deleted from Slack: its card, thread and DMs.
    DELETE_SLACK_MESSAGES = "delete_slack_messages"
    # Direct messages to the reporter.
    RECEIPT = "receipt"
    SELF_REPORT_RECEIPT = "self_report_receipt"
    REPORTER_MESSAGE_ADDED = "reporter_message_added"
    ACKNOWLEDGED = "acknowledged"
    ORGANIZER_MESSAGE = "organizer_message"
    CLOSED = "closed"
    REPORTER_UPDATE = "reporter_update"
    # Direct messages to someone else involved in a case.
    ASKED_TO_STOP = "asked_to_stop"
    OWN_UP_REQUEST = "own_up_request"
    OWN_UP_CHANGES = "own_up_changes"
    OWN_UP_NUDGE = "own_up_nudge"
    OWN_UP_WITHDRAWN = "own_up_withdrawn"
    OWN_UP_DELIVERED_NOTICE = "own_up_delivered_notice"
    OWN_UP_ACCEPTED_NOTICE = "own_up_accepted_notice"
    APOLOGY_OFFER = "apology_offer"
    APOLOGY_DELIVERED = "apology_delivered"
    # Direct messages to an organizer.
    STEP_IN_REQUEST = "step_in_request"
