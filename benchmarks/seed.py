"""``python -m benchmarks seed --cases 100000 --db sqlite|postgres``: a database that looks like
years of use, written in bulk (Core inserts, executemany in batches), encrypted like the app does.

What a case gets (the shares are fixed so runs compare):

* 90% in the organizers' channel, 9% escalated (they name an organizer), 1% held;
* the newest fifth of the cases are half open (so 10% open overall), the rest closed;
  open ones spread over new / acknowledged / investigating / action taken / resolved;
* a reporter from a pool of participants (``U0BENCH00000`` ... ) and 0-2 people involved;
* an encrypted report of 200-1500 characters, 2-7 timeline entries (notes encrypted),
  the outbox messages those caused (all sent, as the app keeps them), its reminders
  (pending for open cases, done for closed ones), and for some closed cases a recorded action.
"""

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update

from benchmarks.common import ESCALATION, LEAD, ORGANIZER_IDS, ORGANIZERS, BenchDatabase, key_file, table
from db.enums import (
    ActionKind,
    ActionResult,
    CaseStatus,
    Category,
    OutboxState,
    Outcome,
    PartyRole,
    ReminderKind,
    ReminderState,
    Routing,
    TimelineKind,
)
from db.models import Case, CaseAction, Counter, OutboxMessage, Party, Reminder, Report, TimelineEntry

BATCH = 2000  # cases per transaction
SPAN = timedelta(days=3 * 365)
PROSE = (
    "he she they kept asking me about my badge after the talk and would not stop when I said no "
    "in the hallway near the coffee stand during the workshop on the stream in chat sent several "
    "messages late at night about my appearance made jokes about people like me that others laughed at"
)
WORDS = PROSE.split()
OPEN_STATUSES = [
    (CaseStatus.NEW, 2),
    (CaseStatus.ACKNOWLEDGED, 3),
    (CaseStatus.INVESTIGATING, 3),
    (CaseStatus.ACTION_TAKEN, 1),
    (CaseStatus.RESOLVED, 1),
]
TABLES = (Case, Report, Party, TimelineEntry, OutboxMessage, Reminder, CaseAction)


def participants_for(cases: int) -> list[str]:
    return [f"U0BENCH{i:05d}" for i in range(max(1000, cases // 10))]


def _words(rng: random.Random, low: int, high: int) -> str:
    target = rng.randint(low, high)
    out: list[str] = []
    length = 0
    while length < target:
        word = rng.choice(WORDS)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:high]


class Rows:
    """The rows of one batch, table by table, with ids handed out here (no RETURNING needed)."""

    def __init__(self, next_ids: dict[type, int]):
        self.next_ids = next_ids
        self.rows: dict[type, list[dict[str, Any]]] = {model: [] for model in TABLES}

    def add(self, model: type, **values: Any) -> int:
        row_id = self.next_ids[model]
        self.next_ids[model] += 1
        self.rows[model].append({"id": row_id, **values})
        return row_id


def _case(rows: Rows, rng: random.Random, number: int, total: int, now: datetime, people: list[str]) -> None:
    created = now - SPAN * (total - number) / total - timedelta(minutes=5)
    is_open = number > total * 0.8 and rng.random() < 0.5
    status = rng.choices([s for s, _ in OPEN_STATUSES], [w for _, w in OPEN_STATUSES])[0] if is_open else None
    status = status or CaseStatus.CLOSED
    roll = rng.random()
    routing = Routing.ORGANIZERS if roll < 0.90 else Routing.ESCALATED if roll < 0.99 else Routing.HELD
    channel = {Routing.ORGANIZERS: ORGANIZERS, Routing.ESCALATED: ESCALATION}.get(routing)
    reporter = rng.choice(people)
    involved = list(dict.fromkeys(p for p in rng.sample(people, rng.randint(0, 2)) if p != reporter))
    if routing is not Routing.ORGANIZERS:
        involved.append(rng.choice(ORGANIZER_IDS))  # that is why it went elsewhere
    acknowledged = status is not CaseStatus.NEW
    lead = rng.choice([*ORGANIZER_IDS, LEAD]) if acknowledged else None
    follow_up = rng.random() < 0.7
    closed_at = created + timedelta(days=rng.randint(1, 30)) if status is CaseStatus.CLOSED else None
    updated = closed_at or created + timedelta(hours=rng.randint(0, 48))
    case_id = rows.add(
        Case,
        number=number,
        submission_key=f"V{number:012d}",
        status=status,
        category=rng.choice(list(Category)),
        urgent=rng.random() < 0.05,
        anonymous=rng.random() < 0.3,
        follow_up_allowed=follow_up,
        apology_wanted=rng.random() < 0.5,
        routing=routing,
        channel_id=channel,
        card_ts=f"{int(created.timestamp())}.{number % 1_000_000:06d}" if channel else None,
        reporter_dm_channel="D" + reporter[1:],
        reporter_dm_ts=f"{int(created.timestamp()) + 1}.{number % 1_000_000:06d}",
        assignee_id=lead,
        acknowledged_by=lead,
        acknowledged_at=created + timedelta(minutes=rng.randint(1, 90)) if acknowledged else None,
        outcome=rng.choice(list(Outcome)) if closed_at else None,
        closing_summary=_words(rng, 60, 300) if closed_at else None,
        closed_at=closed_at,
        self_report=False,
        purged_at=None,
        reporter_contacted_at=created,
        created_at=created,
        updated_at=updated,
    )
    rows.add(
        Report,
        case_id=case_id,
        description=_words(rng, 200, 1500),
        location_channel_id=None,
        location_text=_words(rng, 10, 40) if rng.random() < 0.3 else None,
        occurred_on=f"{created:%Y-%m-%d}",
        occurred_at_time=None,
        others_involved=None,
        evidence_channel_id=None,
        evidence_ts=None,
        evidence_author_id=None,
        evidence_excerpt=None,
    )
    rows.add(Party, case_id=case_id, role=PartyRole.REPORTER, slack_user_id=reporter)
    for person in involved:
        rows.add(Party, case_id=case_id, role=PartyRole.INVOLVED, slack_user_id=person)
    _history(rows, rng, case_id, status, routing, created, updated, lead)
    _reminders(rows, case_id, status, routing, created, updated, acknowledged, follow_up, now)
    if closed_at and rng.random() < 0.2:
        rows.add(
            CaseAction,
            case_id=case_id,
            kind=rng.choice(list(ActionKind)),
            subject_id=involved[0] if involved else None,
            decided_by=lead or ORGANIZER_IDS[0],
            reason=_words(rng, 40, 200),
            message=None,
            channel_ids=[],
            result=ActionResult.RECORDED,
            result_detail=None,
            at=closed_at,
        )


def _history(rows: Rows, rng: random.Random, case_id: int, status, routing, created, updated, lead) -> None:
    entries = [(TimelineKind.CREATED, "Report received", None)]
    entries.append((TimelineKind.HELD if routing is Routing.HELD else TimelineKind.ROUTED, "Sent", None))
    if lead:
        entries.append((TimelineKind.ACKNOWLEDGED, "Acknowledged", None))
    if status not in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED):
        entries.append((TimelineKind.STATUS_CHANGED, "Status: investigating", None))
        if rng.random() < 0.5:
            entries.append((TimelineKind.NOTE, "Note", _words(rng, 50, 400)))
    if status is CaseStatus.CLOSED:
        entries.append((TimelineKind.CLOSED, "Closed", None))
    step = (updated - created) / len(entries)
    for index, (kind, summary, body) in enumerate(entries):
        at = created + step * index
        rows.add(TimelineEntry, case_id=case_id, kind=kind, actor_id=lead, at=at, summary=summary, body=body)
    # What those changes sent (the outbox keeps sent messages).
    kinds = ["case_card", "case_details", "receipt"] + ["card_update", "thread_line"] * (len(entries) - 2)
    for kind in kinds if routing is not Routing.HELD else ["receipt"]:
        stream = f"case-{case_id}/{'reporter' if kind == 'receipt' else 'organizers'}"
        rows.add(
            OutboxMessage,
            stream=stream,
            kind=kind,
            case_id=case_id,
            payload={"entry_id": case_id} if kind == "thread_line" else {},
            state=OutboxState.SENT,
            attempts=1,
            created_at=updated,
            available_at=updated,
            claimed_until=None,
            sent_at=updated,
            last_error=None,
        )


def _reminders(rows: Rows, case_id: int, status, routing, created, updated, acknowledged, follow_up, now) -> None:
    active = status is not CaseStatus.CLOSED and routing is not Routing.HELD
    kinds = [ReminderKind.STALE] + ([] if acknowledged else [ReminderKind.ACK_DUE])
    kinds += [ReminderKind.REPORTER_UPDATE] if follow_up else []
    for kind in kinds:
        rows.add(
            Reminder,
            case_id=case_id,
            kind=kind,
            state=ReminderState.PENDING if active else ReminderState.DONE,
            due_at=max(updated, now) + timedelta(days=2),
            subject="",
            fired=0,
            last_fired_at=None,
        )


def seed(engine: Engine, cases: int, *, seed_value: int = 42) -> dict[str, Any]:
    """Insert ``cases`` cases into an empty, migrated database; returns rows per table and time."""
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    people = participants_for(cases)
    next_ids = {model: 1 for model in TABLES}
    counts = {model.__tablename__: 0 for model in TABLES}
    started = time.monotonic()
    for first in range(1, cases + 1, BATCH):
        rows = Rows(next_ids)
        for number in range(first, min(first + BATCH, cases + 1)):
            _case(rows, rng, number, cases, now, people)
        with engine.begin() as connection:
            for model in TABLES:
                if rows.rows[model]:
                    connection.execute(insert(model.__table__), rows.rows[model])
                    counts[model.__tablename__] += len(rows.rows[model])
        if first // BATCH % 10 == 0:
            print(f"  seeded {min(first + BATCH - 1, cases):>7} cases ({time.monotonic() - started:.0f}s)", flush=True)
    with engine.begin() as connection:
        connection.execute(update(Counter).where(Counter.name == "case").values(value=cases))
        if engine.dialect.name == "postgresql":
            for model in TABLES:
                name = model.__tablename__
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
    inserted = time.monotonic() - started
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done by the time anyone opens a Home tab.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return {"cases": cases, "rows": counts, "insert_seconds": inserted, "seconds": time.monotonic() - started}


def seeded_cases(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Case)) or 0


def run(db_kind: str, *, cases: int) -> dict[str, Any]:
    db = BenchDatabase(db_kind, "cases")
    db.reset()
    engine = db.engine(keys=[key_file()])
    try:
        print(f"seeding {cases} cases into {db_kind} ...", flush=True)
        result = seed(engine, cases)
    finally:
        engine.dispose()
    print(table(["table", "rows"], sorted(result["rows"].items())))
    print(f"seeded in {result['seconds']:.0f}s (inserts {result['insert_seconds']:.0f}s)")
    return result
