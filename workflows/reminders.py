"""Follow-ups that keep a case from being forgotten.

Each pending reminder is a row (case, kind, due time), one per case and kind. ``plan_reminders``
derives from the case as it is now which reminders it should have, and is called in the same
transaction as every change to a case (see ``install_planning``), so a committed change never
lacks its reminders and a rolled-back one leaves none. Firing them is ``reminder_firing``'s,
above the flows whose reminders it fires.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import CaseStatus, ReminderKind, ReminderState, Routing
from db.models import Case, Reminder, TimelineEntry, format_reference


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
