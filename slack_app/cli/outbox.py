"""``speakout outbox``: what Slack is still owed and why, and sending failed messages again."""

import argparse
import sys

from sqlalchemy import select, update

from slack_app.cli.database import read_sessions


def list_undelivered(args: argparse.Namespace) -> int:
    """``speakout outbox list``: id, kind, case, state, attempts, why; never what a message says."""
    from db.health_queries import undelivered

    sessions = read_sessions()
    if sessions is None:
        return 2
    with sessions.begin() as session:
        messages = undelivered(session)
    if not messages:
        print("Nothing waiting: Slack has every message.")
        return 0
    print(f"{'id':>6}  {'kind':<26} {'case':<10} {'state':<8} {'attempts':>8}  {'next try (UTC)':<19}  last error")
    for m in messages:
        due = f"{m.due:%Y-%m-%d %H:%M:%S}" if m.state == "pending" else "-"
        print(
            f"{m.id:>6}  {m.kind:<26} {m.reference or '-':<10} {m.state.value:<8} {m.attempts:>8}  {due:<19}  "
            f"{m.error or '-'}"
        )
    return 0


def retry_failed(args: argparse.Namespace) -> int:
    """``speakout outbox retry``: failed messages go back in the queue, due now, with a new day
    before the outbox gives up on them again. A running app sends them at its next poll."""
    from db.enums import OutboxState
    from db.models import OutboxMessage
    from slack_app.core.services import utc_now

    if bool(args.ids) == bool(args.all_failed):
        print("speakout: give the ids of failed messages, or --all-failed", file=sys.stderr)
        return 2
    sessions = read_sessions()
    if sessions is None:
        return 2
    now = utc_now()
    with sessions.begin() as session:
        failed = select(OutboxMessage.id).where(OutboxMessage.state == OutboxState.FAILED)
        if args.ids:
            found = set(session.scalars(failed.where(OutboxMessage.id.in_(args.ids))))
            if missing := [i for i in args.ids if i not in found]:
                listed = ", ".join(str(i) for i in missing)
                print(f"speakout: not a failed message: {listed} (see `speakout outbox list`)", file=sys.stderr)
                return 2
            failed = failed.where(OutboxMessage.id.in_(args.ids))
        ids = sorted(session.scalars(failed))
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    state=OutboxState.PENDING,
                    attempts=0,
                    created_at=now,
                    available_at=now,
                    claimed_until=None,
                    claimed_by=None,
                )
            )
    print(f"Queued {len(ids)} failed message(s) again: {', '.join(map(str, ids)) or 'none'}.")
    return 0


def add_outbox(commands) -> None:
    outbox = commands.add_parser("outbox", help="messages Slack hasn't taken yet").add_subparsers(
        title="outbox commands"
    )
    outbox.add_parser("list", help="what waits or failed, and why (never what it says)").set_defaults(
        run=list_undelivered
    )
    retry = outbox.add_parser("retry", help="queue failed messages again")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="the failed messages' ids (outbox list)")
    retry.add_argument("--all-failed", action="store_true", help="every failed message")
    retry.set_defaults(run=retry_failed)
