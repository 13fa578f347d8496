"""50,000 pending reminders: scheduler start-up, a worker's memory, and how late reminders are.

Reminders are rows of the app's ``reminders`` table (open, unacknowledged cases in the
organizers' channel, three reminders each, due days ahead). APScheduler's own job store holds
only the two recurring jobs (dispatch every second, purge hourly), however many reminders
there are; its row count is recorded.

1. Start-up, in this process: ``Scheduler(services).start(standby=True)`` until the first
   dispatch pass has run (``slack_app.jobs.dispatch_reminders`` is wrapped to see it), on a
   database the scheduler has never seen and again on a restart.
2. ``python -m slack_app worker`` as a subprocess against the stand-in: VmRSS once it leads
   and has run for a few seconds, and VmHWM (peak) at the end.
3. Lateness: the acknowledgement reminders of ``due`` cases are moved to come due evenly over
   ``window`` seconds; for each, the outbox row's ``created_at`` minus ``due_at`` (the
   scheduler's part) and the arrival of its ``chat.postMessage`` at the stand-in minus
   ``due_at`` (what organizers see).
"""

import math
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update

from benchmarks.common import (
    ESCALATION,
    ORGANIZERS,
    BenchDatabase,
    Process,
    key_file,
    load,
    populate_workspace,
    process_env,
    rss_kib,
    secs,
    summary,
    table,
    write_result,
)
from db.enums import CaseStatus, Category, PartyRole, ReminderKind, ReminderState, Routing
from db.models import Case, Counter, OutboxMessage, Party, Reminder
from slack_app.sandbox.stand_in import SlackStandIn

KINDS = (ReminderKind.ACK_DUE, ReminderKind.STALE, ReminderKind.REPORTER_UPDATE)
TARGETS = {"startup_seconds": 5.0, "rss_mib": 250.0, "p99_lateness_seconds": 2.0}
BATCH = 5000


def seed_reminders(engine, reminders: int) -> dict[int, str]:
    """Open cases with three pending reminders each, ``reminders`` rows in all; returns each
    case's card ts by case id."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    cases = math.ceil(reminders / len(KINDS))
    cards: dict[int, str] = {}
    made = 0
    for first in range(1, cases + 1, BATCH):
        case_rows, party_rows, reminder_rows = [], [], []
        for number in range(first, min(first + BATCH, cases + 1)):
            created = now - timedelta(minutes=10)
            cards[number] = f"{int(created.timestamp())}.{number:06d}"
            case_rows.append(
                {
                    "id": number,
                    "number": number,
                    "submission_key": f"V{number:012d}",
                    "status": CaseStatus.NEW,
                    "category": Category.HARASSMENT,
                    "urgent": False,
                    "anonymous": False,
                    "follow_up_allowed": True,
                    "apology_wanted": False,
                    "routing": Routing.ORGANIZERS,
                    "channel_id": ORGANIZERS,
                    "card_ts": cards[number],
                    "reporter_contacted_at": created,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            party_rows.append({"case_id": number, "role": PartyRole.REPORTER, "slack_user_id": f"U0BENCH{number:05d}"})
            for kind in KINDS:
                if made < reminders:
                    due = now + timedelta(days=1 + rng.random() * 29)
                    reminder_rows.append(
                        {"case_id": number, "kind": kind, "state": ReminderState.PENDING, "due_at": due}
                    )
                    made += 1
        with engine.begin() as connection:
            connection.execute(insert(Case.__table__), case_rows)
            connection.execute(insert(Party.__table__), party_rows)
            connection.execute(insert(Reminder.__table__), reminder_rows)
    with engine.begin() as connection:
        connection.execute(update(Counter).where(Counter.name == "case").values(value=cases))
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
            )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return cards


def _settings_env(db: BenchDatabase, api_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-stand-in",
        "SLACK_SIGNING_SECRET": "benchmark-signing-secret",
        "SLACK_API_URL": api_url,
        "DATABASE_URL": db.url,
        "ORGANIZER_CHANNEL_ID": ORGANIZERS,
        "ESCALATION_CHANNEL_ID": ESCALATION,
        "ENCRYPTION_KEY": key_file(),
        "LOG_LEVEL": "INFO",
    }


def measure_startup(db: BenchDatabase, api_url: str) -> dict[str, float]:
    """Seconds to build the services, for start() to return, and until the first dispatch pass
    has finished (counted from the start() call)."""
    from slack_app import jobs  # the module the job store names (see STORED_JOB_MODULE)
    from slack_app.core.settings import load_settings
    from slack_app.runtime.scheduler import Scheduler
    from slack_app.runtime.wiring import build_services

    original = jobs.dispatch_reminders
    finished = threading.Event()
    pass_seconds: list[float] = []

    def watched() -> None:
        started = time.perf_counter()
        original()
        pass_seconds.append(time.perf_counter() - started)
        finished.set()

    jobs.dispatch_reminders = watched  # the job store resolves "slack_app.jobs:dispatch_reminders" at start
    try:
        began = time.perf_counter()
        services = build_services(load_settings(_settings_env(db, api_url)))
        built = time.perf_counter()
        scheduler = Scheduler(services)
        scheduler.start(standby=True)
        returned = time.perf_counter()
        if not finished.wait(30):
            raise TimeoutError("the first dispatch pass did not run within 30s")
        first_pass = time.perf_counter()
        scheduler.stop()
        services.engine.dispose()
    finally:
        jobs.dispatch_reminders = original
    return {
        "build_services": built - began,
        "start_returned": returned - built,
        "first_pass_done": first_pass - built,
        "first_pass_duration": pass_seconds[0],
    }


def run(
    db_kind: str, *, reminders: int, due: int, window: float, drain_timeout: float, api_latency: float
) -> dict[str, Any]:
    db = BenchDatabase(db_kind, "reminders")
    db.reset()
    engine = db.engine(keys=[key_file()])
    started = time.monotonic()
    cards = seed_reminders(engine, reminders)
    seeded = time.monotonic() - started
    print(f"  seeded {reminders} reminders on {len(cards)} cases in {seeded:.0f}s", flush=True)
    data: dict[str, Any] = {"reminders": reminders, "cases": len(cards), "seed_seconds": seeded}

    with SlackStandIn(latency=api_latency) as stand_in:
        populate_workspace(stand_in, [])
        data["startup_first"] = measure_startup(db, stand_in.url)
        data["startup_restart"] = measure_startup(db, stand_in.url)
        with engine.connect() as connection:
            data["apscheduler_jobs"] = connection.scalar(text("SELECT count(*) FROM apscheduler_jobs"))
        print("  measured start-up", flush=True)

        worker = Process(
            f"reminders-worker-{db_kind}", ["-m", "slack_app", "worker"], process_env(**_settings_env(db, stand_in.url))
        )
        try:
            data["worker_ready_seconds"] = worker.wait_for_log("this process runs the scheduler")
            time.sleep(3)  # a few dispatch passes and an idle outbox pass
            data["worker_rss_kib"] = rss_kib(worker.pid)
            data.update(_lateness(engine, stand_in, cards, due=due, window=window, drain_timeout=drain_timeout))
            data["worker_rss_end_kib"] = rss_kib(worker.pid)
        finally:
            worker.stop()
    with engine.connect() as connection:
        data["pending_reminders_after"] = connection.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.state == ReminderState.PENDING)
        )
    engine.dispose()
    data["api_latency"] = api_latency
    data["load_after"] = load()
    print(render(db_kind, data))
    path = write_result("reminder_volume", db_kind, data)
    print(f"wrote {path}")
    return data


def _lateness(engine, stand_in: SlackStandIn, cards: dict[int, str], *, due: int, window: float, drain_timeout: float):
    """Make ``due`` acknowledgement reminders come due over ``window`` seconds and time them."""
    offset = time.time() - time.monotonic()  # Call.at is monotonic; due times are wall clock
    first_due = datetime.now(UTC) + timedelta(seconds=5)
    chosen = list(cards)[:due]
    due_at = {case_id: first_due + timedelta(seconds=window * i / due) for i, case_id in enumerate(chosen)}
    with engine.begin() as connection:
        connection.execute(
            update(Reminder.__table__)
            .where(Reminder.case_id == bindparam("c"), Reminder.kind == ReminderKind.ACK_DUE)
            .values(due_at=bindparam("d")),
            [{"c": case_id, "d": at} for case_id, at in due_at.items()],
        )
    by_card = {cards[case_id]: case_id for case_id in chosen}
    load_before = load()
    deadline = first_due.timestamp() + window + drain_timeout

    def arrivals() -> dict[int, float]:
        found: dict[int, float] = {}
        for call in stand_in.calls_to("chat.postMessage"):
            case_id = by_card.get(call.params.get("thread_ts"))
            if case_id is not None and not call.failed:
                found.setdefault(case_id, call.at + offset)
        return found

    while len(arrived := arrivals()) < due and time.time() < deadline:
        time.sleep(0.5)
    with engine.connect() as connection:
        created = dict(
            connection.execute(
                select(OutboxMessage.case_id, func.min(OutboxMessage.created_at))
                .where(OutboxMessage.kind == "ack_reminder")
                .group_by(OutboxMessage.case_id)
            ).all()
        )
    gave_up = time.time()
    fired = [(created[c] - due_at[c]).total_seconds() for c in chosen if c in created]
    unfired = [gave_up - due_at[c].timestamp() for c in chosen if c not in created]
    delivered = [arrived[c] - due_at[c].timestamp() for c in chosen if c in arrived]
    undelivered = [gave_up - due_at[c].timestamp() for c in chosen if c not in arrived]
    return {
        "due": due,
        "window_seconds": window,
        "load_before_window": load_before,
        "outbox_lateness": summary(fired, bounds=unfired),
        "fired": len(fired),
        "delivery_lateness": summary(delivered, bounds=undelivered),
        "delivered": len(delivered),
        "drain_timeout": drain_timeout,
    }


def render(db_kind: str, data: dict[str, Any]) -> str:
    first, restart = data["startup_first"], data["startup_restart"]
    rss = data["worker_rss_kib"]["VmRSS"] / 1024
    peak = data["worker_rss_end_kib"]["VmHWM"] / 1024
    fired, delivered = data["outbox_lateness"], data["delivery_lateness"]
    ok = lambda good: "yes" if good else "NO"  # noqa: E731
    rows = [
        [
            "scheduler start-up, first start (s)",
            f"{first['first_pass_done']:.2f} (services {first['build_services']:.2f} before)",
            "< 5",
            ok(first["first_pass_done"] < 5),
        ],
        [
            "scheduler start-up, restart (s)",
            f"{restart['first_pass_done']:.2f}",
            "< 5",
            ok(restart["first_pass_done"] < 5),
        ],
        ["first dispatch pass (ms)", f"{first['first_pass_duration'] * 1000:.0f}", "", ""],
        ["worker RSS after start-up (MiB)", f"{rss:.0f} (peak {peak:.0f} by the end)", "< 250", ok(peak < 250)],
        [
            "lateness to outbox row p50 / p99 / max (s)",
            " / ".join(secs(fired[k], fired, k) for k in ("p50", "p99", "max")) + f" ({data['fired']}/{data['due']})",
            "p99 < 2",
            ok(data["fired"] == data["due"] and fired["p99"] < 2),
        ],
        [
            "lateness to chat.postMessage p50 / p99 / max (s)",
            " / ".join(secs(delivered[k], delivered, k) for k in ("p50", "p99", "max"))
            + f" ({data['delivered']}/{data['due']})",
            "p99 < 2",
            ok(data["delivered"] == data["due"] and delivered["p99"] < 2),
        ],
    ]
    return (
        f"\nreminder_volume on {db_kind}: {data['reminders']} pending reminders on {data['cases']} cases, "
        f"{data['apscheduler_jobs']} APScheduler jobs, {data['due']} due over {data['window_seconds']:.0f}s, "
        f"stand-in latency {data['api_latency']}s\n" + table(["measure", "value", "target", "met"], rows)
    )
