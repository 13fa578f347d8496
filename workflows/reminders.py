"""Follow-ups that keep a case from being forgotten.

Each pending reminder is a row (case, kind, due time), one per case and kind. ``plan_reminders``
derives from the case as it is now which reminders it should have, and is called in the same
transaction as every change to a case (see ``install_planning``), so a committed change never
lacks its reminders and a rolled-back one leaves none. ``fire_due_reminders`` reads the current
state when a reminder comes due and does nothing if it no longer applies.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    Case,
    CaseStatus,
    Reminder,
    ReminderKind,
    ReminderState,
    Routing,
    TimelineEntry,
    format_reference,
)
from workflows.ports import Notifier

ESCALATE_AFTER = 3  # acknowledgement reminders before the escalation channel is told
BATCH = 200


@dataclass(frozen=True)
class ReminderPolicy:
    """How long until each follow-up; ``timedelta(0)`` turns that reminder off."""

    ack_after: timedelta = timedelta(minutes=30)
    ack_urgent_after: timedelta = timedelta(minutes=5)
    stale_after: timedelta = timedelta(days=2)
    reporter_update_after: timedelta = timedelta(days=3)
    grace: timedelta = timedelta(days=1)  # how late the scheduler may still run a missed pass

    def ack_interval(self, case: Case) -> timedelta:
        return self.ack_urgent_after if case.urgent and self.ack_urgent_after else self.ack_after


def plan_reminders(session: Session, case: Case, now: datetime, policy: ReminderPolicy) -> None:
    """Bring the case's reminders in line with its current state."""
    rows = {
        row.kind: row
        for row in session.scalars(select(Reminder).where(Reminder.case_id == case.id, Reminder.subject == ""))
    }
    active = case.status is not CaseStatus.CLOSED and case.routing in (
        Routing.PENDING,
        Routing.ORGANIZERS,
        Routing.ESCALATED,
    )
    wanted: dict[ReminderKind, datetime] = {}
    interval = policy.ack_interval(case)
    if active and case.acknowledged_by is None and interval:
        existing = rows.get(ReminderKind.ACK_DUE)
        # Unrelated changes don't push an acknowledgement reminder back.
        keep = existing is not None and existing.state is ReminderState.PENDING
        wanted[ReminderKind.ACK_DUE] = existing.due_at if keep else case.created_at + interval
    if active and policy.stale_after:
        stale = rows.get(ReminderKind.STALE)
        # Quiet since the last activity, or since the last nudge about it.
        since = max(case.updated_at, stale.last_fired_at or case.updated_at) if stale else case.updated_at
        wanted[ReminderKind.STALE] = since + policy.stale_after
    if active and case.follow_up_allowed and policy.reporter_update_after:
        last_heard = case.reporter_contacted_at or case.created_at
        wanted[ReminderKind.REPORTER_UPDATE] = last_heard + policy.reporter_update_after

    for kind, row in rows.items():
        if kind not in wanted and row.state is ReminderState.PENDING:
            row.state = ReminderState.DONE
    for kind, due_at in wanted.items():
        row = rows.get(kind)
        if row is None:
            session.add(Reminder(case_id=case.id, kind=kind, due_at=due_at, state=ReminderState.PENDING))
        elif row.state is not ReminderState.PENDING:
            row.state, row.due_at, row.fired, row.last_fired_at = ReminderState.PENDING, due_at, 0, None
        elif row.due_at != due_at:
            row.due_at = due_at


def install_planning(sessions: sessionmaker[Session], policy: ReminderPolicy, clock: Callable[[], datetime]) -> None:
    """Plan reminders for every case a transaction touched, just before it commits.

    Hooked on the session factory rather than called by each flow, so that no flow can
    forget it: whatever changes a case, or adds to its timeline, re-plans its reminders."""

    @event.listens_for(sessions, "before_flush")
    def _collect(session: Session, _context, _instances) -> None:
        touched = session.info.setdefault("touched_cases", set())
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, Case):
                touched.add(obj)
            elif isinstance(obj, TimelineEntry) and obj.case is not None:
                touched.add(obj.case)

    @event.listens_for(sessions, "before_commit")
    def _plan(session: Session) -> None:
        session.flush()
        touched = session.info.pop("touched_cases", set())
        if not touched:
            return
        now = clock()
        for case in touched:
            if case.id is not None:
                plan_reminders(session, case, now, policy)
        session.flush()
        session.info.pop("touched_cases", None)


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
            from workflows.own_up import fire_own_up_reminder  # own-up builds on reminders

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
        notifier.to_organizers(case.id, "ack_reminder", count=reminder.fired, seconds=waited)
        if reminder.fired == ESCALATE_AFTER:
            notifier.to_organizers(case.id, "ack_escalation", count=reminder.fired)
        # Repeated at the same interval from now: after downtime it fires once, not once per
        # missed interval.
        reminder.due_at = now + interval
        return True
    if reminder.kind is ReminderKind.STALE:
        if not open_case or not policy.stale_after:
            reminder.state = ReminderState.DONE
            return False
        reminder.fired += 1
        notifier.to_organizers(case.id, "stale_nudge", days=max(1, (now - case.updated_at).days))
        reminder.due_at = now + policy.stale_after
        return True
    if reminder.kind is ReminderKind.REPORTER_UPDATE:
        if not open_case or not case.follow_up_allowed or not policy.reporter_update_after:
            reminder.state = ReminderState.DONE
            return False
        reminder.fired += 1
        notifier.to_reporter(case.id, "reporter_update")
        case.reporter_contacted_at = now  # re-plans the next update from now
        reminder.due_at = now + policy.reporter_update_after
        return True
    return False


@dataclass(frozen=True)
class PendingReminder:
    reference: str
    kind: ReminderKind
    due_at: datetime
    fired: int


def pending_reminders(session: Session, limit: int = 500) -> list[PendingReminder]:
    rows = session.execute(
        select(Case.number, Reminder.kind, Reminder.due_at, Reminder.fired)
        .join(Case, Case.id == Reminder.case_id)
        .where(Reminder.state == ReminderState.PENDING)
        .order_by(Reminder.due_at)
        .limit(limit)
    ).all()
    return [PendingReminder(format_reference(number), kind, due_at, fired) for number, kind, due_at, fired in rows]


def schedule_once(session: Session, *, case_id: int, kind: ReminderKind, subject: str, due_at: datetime) -> None:
    """A one-off reminder about something within a case (an own-up request's deadline, say);
    scheduling the same one again moves it."""
    row = session.scalar(
        select(Reminder).where(Reminder.case_id == case_id, Reminder.kind == kind, Reminder.subject == subject)
    )
    if row is None:
        session.add(Reminder(case_id=case_id, kind=kind, subject=subject, due_at=due_at, state=ReminderState.PENDING))
    else:
        row.due_at, row.state, row.fired = due_at, ReminderState.PENDING, 0


def cancel_about(session: Session, *, case_id: int, subject: str) -> None:
    for row in session.scalars(
        select(Reminder).where(
            Reminder.case_id == case_id, Reminder.subject == subject, Reminder.state == ReminderState.PENDING
        )
    ):
        row.state = ReminderState.DONE
