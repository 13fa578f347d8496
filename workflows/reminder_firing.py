"""Firing the reminders that are due. It reads the case as it is when a reminder comes due and
does nothing if the reminder no longer applies. It sits above the flows whose reminders it
fires (cases' follow-ups here, own-up deadlines in ``own_up``), so none of them imports it."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import CaseStatus, ReminderKind, ReminderState, Routing
from db.models import Case, Reminder
from workflows.messages import MessageKind
from workflows.own_up import fire_own_up_reminder
from workflows.ports import Notifier
from workflows.reminders import ReminderPolicy

ESCALATE_AFTER = 3  # acknowledgement reminders before the escalation channel is told
BATCH = 200


def fire_due_reminders(session: Session, notifier: Notifier, *, now: datetime, policy: ReminderPolicy) -> int:
    """Fire every reminder that is due, once, however long it has been due (coalesced)."""
    query = (
        select(Reminder)
        .where(Reminder.state == ReminderState.PENDING, Reminder.due_at <= now)
        .order_by(Reminder.due_at)
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two dispatchers never take the same reminder (a standby that has just taken over,
        # say): each row is claimed under a lock the other skips.
        query = query.with_for_update(skip_locked=True)
    fired = 0
    for reminder in session.scalars(query).all():
        case = session.get(Case, reminder.case_id)
        if reminder.kind in (ReminderKind.OWN_UP_NUDGE, ReminderKind.OWN_UP_DEADLINE):
            done = fire_own_up_reminder(session, notifier, reminder, now)
        else:
            done = _fire(reminder, case, notifier, now, policy)
        fired += done
    return fired


def _fire(reminder: Reminder, case: Case, notifier: Notifier, now: datetime, policy: ReminderPolicy) -> bool:
    reminder.last_fired_at = now
    open_case = case.status is not CaseStatus.CLOSED and case.routing in (Routing.ORGANIZERS, Routing.ESCALATED)
    if reminder.kind is ReminderKind.ACK_DUE:
        interval = policy.ack_interval(case)
        if not open_case or case.acknowledged_by is not None or not interval:
            reminder.state = ReminderState.DONE
            return False
        reminder.fired += 1
        waited = int((now - case.created_at).total_seconds())
        notifier.to_organizers(case.id, MessageKind.ACK_REMINDER, count=reminder.fired, seconds=waited)
        if reminder.fired == ESCALATE_AFTER:
            notifier.to_organizers(case.id, MessageKind.ACK_ESCALATION, count=reminder.fired)
        # Repeated at the same interval from now: after downtime it fires once, not once per
        # missed interval.
        reminder.due_at = now + interval
        return True
    if reminder.kind is ReminderKind.STALE:
        if not open_case or not policy.stale_after:
            reminder.state = ReminderState.DONE
            return False
        reminder.fired += 1
        notifier.to_organizers(case.id, MessageKind.STALE_NUDGE, days=max(1, (now - case.updated_at).days))
        reminder.due_at = now + policy.stale_after
        return True
    if reminder.kind is ReminderKind.REPORTER_UPDATE:
        if not open_case or not case.follow_up_allowed or not policy.reporter_update_after:
            reminder.state = ReminderState.DONE
            return False
        reminder.fired += 1
        notifier.to_reporter(case.id, MessageKind.REPORTER_UPDATE)
        case.reporter_contacted_at = now  # re-plans the next update from now
        reminder.due_at = now + policy.reporter_update_after
        return True
    return False
