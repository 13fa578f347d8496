"""The domain's vocabularies: statuses, categories, outcomes and the states of each record.

They live at the bottom of the layers, beside the models that store them, so the domain, the
views and the database all speak the same words. Their values are stored: never rename one.
"""

from enum import StrEnum


class CaseStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    ACTION_TAKEN = "action_taken"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Category(StrEnum):
    HARASSMENT = "harassment"
    DISCRIMINATION = "discrimination"
    STALKING = "stalking"
    SEXUAL_ATTENTION = "sexual_attention"
    DISRUPTION = "disruption"
    SPAM = "spam"
    OTHER = "other"


class Routing(StrEnum):
    """Where a case lives: decided once, after the report is stored."""

    PENDING = "pending"
    ORGANIZERS = "organizers"
    ESCALATED = "escalated"
    HELD = "held"


class PartyRole(StrEnum):
    REPORTER = "reporter"
    INVOLVED = "involved"


class TimelineKind(StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    HELD = "held"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    NOTE = "note"
    MESSAGE_TO_REPORTER = "message_to_reporter"
    REPORTER_MESSAGE = "reporter_message"
    ACTION_RECORDED = "action_recorded"
    ACTION_CARRIED_OUT = "action_carried_out"
    CLOSED = "closed"
    REOPENED = "reopened"
    OWN_UP = "own_up"
    PURGED = "purged"
    MESSAGES_DELETED = "messages_deleted"  # the app's own Slack messages about a purged case
    STEPPED_BACK = "stepped_back"
    STEPPED_IN = "stepped_in"


class AccessKind(StrEnum):
    """What someone looked at in a case's words (the access log)."""

    REPORT_OPENED = "report_opened"  # "Open report" in Slack
    RECORD_SHOWN = "record_shown"  # speakout case show
    EXPORTED = "exported"  # speakout case export
    HISTORY_LOOKUP = "history_lookup"  # speakout person history listed the case


class Outcome(StrEnum):
    ACTION_TAKEN = "action_taken"
    NO_ACTION_NEEDED = "no_action_needed"
    UNRESOLVED = "unresolved"
    WITHDRAWN = "withdrawn"


class ActionKind(StrEnum):
    """The Code of Conduct's range of responses, and the ones experienced event teams use."""

    ASKED_TO_STOP = "asked_to_stop"
    FORMAL_WARNING = "formal_warning"
    NO_CONTACT = "no_contact"
    EXCLUDED_FROM_SOCIALS = "excluded_from_socials"
    SESSION_ENDED = "session_ended"
    RECORDING_WITHHELD = "recording_withheld"
    BARRED_FROM_SPEAKING = "barred_from_speaking"
    REMOVED_FROM_CHANNEL = "removed_from_channel"
    EXPELLED = "expelled"


class ActionResult(StrEnum):
    RECORDED = "recorded"  # nothing for the app to carry out
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # the organizer is asked to confirm first
    PENDING = "pending"  # confirmed: the app is carrying it out in Slack
    CANCELLED = "cancelled"  # the organizer called it off; the decision stays recorded
    DONE = "done"
    FAILED = "failed"


class ReminderKind(StrEnum):
    ACK_DUE = "ack_due"
    STALE = "stale"
    REPORTER_UPDATE = "reporter_update"
    OWN_UP_NUDGE = "own_up_nudge"
    OWN_UP_DEADLINE = "own_up_deadline"


class OwnUpState(StrEnum):
    REQUESTED = "requested"
    WANTS_TO_TALK = "wants_to_talk"
    SEES_DIFFERENTLY = "sees_differently"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    AWAITING_CONSENT = "awaiting_consent"
    DELIVERED = "delivered"
    NOT_DELIVERED = "not_delivered"
    ACKNOWLEDGED = "acknowledged"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class RecipientAnswer(StrEnum):
    ACCEPT = "accept"
    RECEIVED = "received"
    NO_RESPONSE = "no_response"


class ReminderState(StrEnum):
    PENDING = "pending"
    DONE = "done"  # fired and not repeating, or no longer applies


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class SlackDeletion(StrEnum):
    """What became of one of the app's Slack messages about a purged case."""

    DELETED = "deleted"
    ALREADY_GONE = "already_gone"  # someone deleted it before the app did
    UNREACHABLE = "unreachable"  # the app can't reach its channel any more (or may not delete it)
