"""An organizer's record commands: ``speakout case show|export|purge`` and
``speakout person history``. Each prints one line on stderr and exits 2 when it can't."""

import argparse
import os
import re
import sys
from datetime import UTC, datetime

from db.enums import AccessKind
from slack_app.cli.database import read_sessions
from workflows.access_log import command_line_user, record_access


def show_case(args: argparse.Namespace) -> int:
    from slack_app.cli.render import render_markdown

    record = _load_record(args.reference, AccessKind.RECORD_SHOWN)
    if record is None:
        return 2
    sys.stdout.write(render_markdown(record))
    return 0


def export_case(args: argparse.Namespace) -> int:
    from slack_app.cli.render import render_json, render_markdown

    record = _load_record(args.reference, AccessKind.EXPORTED)
    if record is None:
        return 2
    text = render_json(record) if args.format == "json" else render_markdown(record)
    path = args.output or f"{record.reference}.{args.format}"
    if os.path.isdir(path):
        path = os.path.join(path, f"{record.reference}.{args.format}")
    try:
        _write_private(path, text)
    except OSError as error:
        print(f"speakout: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"Wrote {path}")
    return 0


def erase_case(args: argparse.Namespace) -> int:
    """``speakout case purge``: the case's texts and names go now; its counts remain."""
    from workflows.errors import NotFound
    from workflows.records import parse_reference

    try:
        number = parse_reference(args.reference)
    except NotFound as error:
        print(f"speakout: {error}", file=sys.stderr)
        return 2
    if not args.yes:
        print(f"speakout: this erases every text and name of {args.reference} for good: add --yes", file=sys.stderr)
        return 2
    sessions = read_sessions()
    if sessions is None:
        return 2
    reference = _purge(sessions, number, args.reference)
    if reference is None:
        return 2
    print(f"Erased the texts and names of {reference}; its reference, dates and outcome remain for counts.")
    print("The app deletes its Slack messages about it next (its card, thread and DMs).")
    return 0


def _purge(sessions, number: int, asked: str) -> str | None:
    """The purged case's reference, or None having printed one line on why not."""
    from datetime import UTC, datetime

    from workflows.errors import WorkflowError
    from workflows.outbox import OutboxNotifier
    from workflows.retention import find_case, purge_case

    with sessions.begin() as session:
        case = find_case(session, number)
        if case is None:
            print(f"speakout: no case {asked}", file=sys.stderr)
            return None
        now = datetime.now(UTC)
        try:
            # The app's Slack messages about it are deleted by the running app's outbox.
            purge_case(session, OutboxNotifier(session, now), case, now=now, why="on request")
        except WorkflowError as error:
            print(f"speakout: {error}", file=sys.stderr)
            return None
        return case.reference


def show_person_history(args: argparse.Namespace) -> int:
    from slack_app.cli.render import render_history
    from workflows.records import person_history

    if not re.fullmatch(r"[UW][A-Z0-9]+", args.user_id):
        print(f"speakout: {args.user_id!r} is not a Slack user id (they look like U0123ABCD)", file=sys.stderr)
        return 2
    sessions = read_sessions()
    if sessions is None:
        return 2
    with sessions.begin() as session:
        entries = person_history(session, args.user_id)
        now, who = datetime.now(UTC), command_line_user()
        for entry in entries:
            record_access(session, entry.case_id, who, AccessKind.HISTORY_LOOKUP, now)
    sys.stdout.write(render_history(args.user_id, entries))
    return 0


def _load_record(reference: str, what: AccessKind):
    """The case's record, or None having printed one line on why not. The access log records
    the reading first, so the record shows it too."""
    from workflows.errors import NotFound
    from workflows.records import case_record, parse_reference
    from workflows.retention import find_case

    try:
        number = parse_reference(reference)  # a typo is reported before the database is touched
        sessions = read_sessions()
        if sessions is None:
            return None
        with sessions.begin() as session:
            case = find_case(session, number)
            if case is not None:
                record_access(session, case.id, command_line_user(), what, datetime.now(UTC))
            return case_record(session, reference)
    except NotFound as error:
        print(f"speakout: {error}", file=sys.stderr)
        return None


def _write_private(path: str, text: str) -> None:
    """Write ``text`` to a file only its owner can read: it holds a report."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # an existing file keeps its old mode otherwise
        file.write(text)
