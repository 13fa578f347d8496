"""The own-up flow: the person a report is about acknowledges it and apologizes, mediated by
organizers, and nothing reaches the other side without their consent.

An explicit state machine (``states``): each step names the states it may start from, and
anything else (a second delivery, a click in the wrong state, a click by anyone but the intended
person) is refused and changes nothing. The person asked to own up never receives the report's
words, the reporter's identity, or anything from which it follows. This package's names are the
flow's public interface; its modules follow the request's life: ``asking``, ``review``, and
``self_report`` for /ownup.
"""

from workflows.own_up.asking import (
    fire_own_up_reminder,
    request_own_up,
    see_differently,
    submit_apology,
    talk_to_organizer,
    withdraw_open_requests,
    withdraw_own_up,
)
from workflows.own_up.review import (
    ANSWER_WORDS,
    answer_offer,
    ask_for_changes,
    deliver_apology,
    dont_deliver,
    respond_to_apology,
)
from workflows.own_up.self_report import submit_self_report
from workflows.own_up.states import AWAITING_REPLY, OPEN, STATE_WORDS, TEXT_MAX, S, subject_key

__all__ = [
    "ANSWER_WORDS",
    "AWAITING_REPLY",
    "OPEN",
    "STATE_WORDS",
    "TEXT_MAX",
    "S",
    "answer_offer",
    "ask_for_changes",
    "deliver_apology",
    "dont_deliver",
    "fire_own_up_reminder",
    "request_own_up",
    "respond_to_apology",
    "see_differently",
    "subject_key",
    "submit_apology",
    "submit_self_report",
    "talk_to_organizer",
    "withdraw_open_requests",
    "withdraw_own_up",
]
