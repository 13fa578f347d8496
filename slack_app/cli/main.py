"""The ``speakout`` command."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from dotenv import load_dotenv
from sqlalchemy.exc import SQLAlchemyError

from slack_app.core.settings import SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    load_dotenv(os.environ.get("SPEAKOUT_ENV_FILE", ".env"))
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces its plugins and migration context at every start; noise, not news
    # (`speakout db upgrade` turns the migration log back on).
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    try:
        return args.run(args) or 0
    except SettingsError as error:
        print(f"speakout: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(
            f"speakout: DATABASE_URL: cannot use the database ({type(error).__name__}: {_first_line(error)})",
            file=sys.stderr,
        )
        return 2


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0][:200]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="speakout", description="Speak Out: Code of Conduct reports in Slack")
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="run the app (HTTP on /slack/events, or Socket Mode)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000))
    serve.add_argument("--socket-mode", action="store_true", help="connect out to Slack with SLACK_APP_TOKEN")
    serve.add_argument(
        "--no-scheduler", action="store_true", help="web only: reminders are run by a separate `speakout worker`"
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="run the reminder scheduler (and message delivery), no web server")
    worker.set_defaults(run=_worker)

    keys = commands.add_parser("keys", help="encryption keys for reports at rest").add_subparsers(title="key commands")
    keys.add_parser("generate", help="print a new key for ENCRYPTION_KEY").set_defaults(run=_keys_generate)
    keys.add_parser(
        "rotate", help="re-encrypt everything with the newest key (the first in ENCRYPTION_KEY)"
    ).set_defaults(run=_keys_rotate)

    reminders = commands.add_parser("reminders", help="follow-up reminders").add_subparsers(title="reminder commands")
    reminders.add_parser("list", help="pending reminders: case, kind, due").set_defaults(run=_reminders_list)

    demo = commands.add_parser("demo", help="play a report from start to finish, with no Slack needed")
    demo.set_defaults(run=_demo)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="apply the database migrations").set_defaults(run=_db_upgrade)

    case = commands.add_parser("case", help="an organizer's record of one case").add_subparsers(title="case commands")
    show = case.add_parser("show", help="print a case's full record (Markdown)")
    show.add_argument("reference", help="the case reference, e.g. CoC-0042")
    show.set_defaults(run=_case_show)
    export = case.add_parser("export", help="write a case's full record to a file only you can read")
    export.add_argument("reference", help="the case reference, e.g. CoC-0042")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("--output", metavar="PATH", help="the file to write (default: CoC-0042.md in this directory)")
    export.set_defaults(run=_case_export)

    purge = case.add_parser("purge", help="erase a case's texts and names now, keeping it for counts")
    purge.add_argument("reference", help="for example CoC-0042")
    purge.add_argument("--yes", action="store_true", help="really erase (it can't be undone)")
    purge.set_defaults(run=_case_purge)

    person = commands.add_parser("person", help="what the records say about a person").add_subparsers(
        title="person commands"
    )
    history = person.add_parser("history", help="the cases that name a Slack user (never who reported)")
    history.add_argument("user_id", help="a Slack user id, e.g. U0123ABCD")
    history.set_defaults(run=_person_history)
    return parser


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings(socket_mode=args.socket_mode)
    from slack_app.runtime.scheduler import SchedulerRefused
    from slack_app.runtime.serve import serve

    try:
        return serve(
            settings, host=args.host, port=args.port, socket_mode=args.socket_mode, scheduler=not args.no_scheduler
        )
    except SchedulerRefused as refused:
        print(f"speakout: {refused}", file=sys.stderr)
        return 2


def _worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    from slack_app.runtime.scheduler import SchedulerRefused
    from slack_app.runtime.serve import work

    try:
        return work(settings)
    except SchedulerRefused as refused:
        print(f"speakout: {refused}", file=sys.stderr)
        return 2


def _case_purge(args: argparse.Namespace) -> int:
    from workflows.errors import NotFound, WorkflowError
    from workflows.records import parse_reference
    from workflows.retention import find_case, purge_case

    try:
        number = parse_reference(args.reference)
    except NotFound as error:
        print(f"speakout: {error}", file=sys.stderr)
        return 2
    if not args.yes:
        print(f"speakout: this erases every text and name of {args.reference} for good: add --yes", file=sys.stderr)
        return 2
    sessions = _read_sessions()
    if sessions is None:
        return 2
    from datetime import UTC, datetime

    with sessions.begin() as session:
        case = find_case(session, number)
        if case is None:
            print(f"speakout: no case {args.reference}", file=sys.stderr)
            return 2
        try:
            purge_case(session, case, now=datetime.now(UTC), why="on request")
        except WorkflowError as error:
            print(f"speakout: {error}", file=sys.stderr)
            return 2
        reference = case.reference
    print(f"Erased the texts and names of {reference}; its reference, dates and outcome remain for counts.")
    return 0


def _keys_generate(args: argparse.Namespace) -> int:
    from db.crypto import generate_key

    print(generate_key())
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    """Put the new key first in ENCRYPTION_KEY (keeping the old ones after it), run this, then
    drop the old keys once it has finished."""
    from db.base import Base
    from db.crypto import rotate_all

    sessions = _read_sessions()
    if sessions is None:
        return 2
    with sessions.begin() as session:
        rewritten = rotate_all(session, Base.metadata)
    print(f"Re-encrypted {rewritten} values with the newest key. The older keys can now be removed.")
    return 0


def _reminders_list(args: argparse.Namespace) -> int:
    from workflows.reminders import pending_reminders

    sessions = _read_sessions()
    if sessions is None:
        return 2
    with sessions.begin() as session:
        pending = pending_reminders(session)
    if not pending:
        print("No pending reminders.")
        return 0
    print(f"{'case':<10} {'kind':<16} {'due (UTC)':<20} fired")
    for reminder in pending:
        print(
            f"{reminder.reference:<10} {reminder.kind.value:<16} {reminder.due_at:%Y-%m-%d %H:%M:%S}  {reminder.fired}"
        )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from slack_app.sandbox.demo import run_demo

    return run_demo()


def _db_upgrade(args: argparse.Namespace) -> int:
    from db.migrate import upgrade
    from db.session import make_engine
    from slack_app.core.settings import DATABASE_DEFAULT

    url = os.environ.get("DATABASE_URL") or DATABASE_DEFAULT
    engine = make_engine(url)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    upgrade(engine)
    print(f"Database is up to date ({engine.url.render_as_string(hide_password=True)}).")
    return 0


def _read_sessions():
    """Sessions on DATABASE_URL for a read-only command, or None (having said why) when the
    database has no Speak Out tables. Never creates a database or migrates one."""
    from pathlib import Path

    from sqlalchemy import inspect

    from db.models import Case, CaseAction, Party, Report, TimelineEntry
    from db.session import make_engine, make_sessionmaker
    from slack_app.core.settings import DATABASE_DEFAULT, encryption_keys

    url = os.environ.get("DATABASE_URL") or DATABASE_DEFAULT
    engine = make_engine(url, keys=encryption_keys(os.environ.get("ENCRYPTION_KEY", "").strip() or None))
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:") and not Path(database).exists():
        tables: set[str] = set()  # connecting would create an empty database file
    else:
        tables = set(inspect(engine).get_table_names())
    needed = {model.__tablename__ for model in (Case, Report, Party, TimelineEntry, CaseAction)}
    if Case.__tablename__ not in tables:
        print("speakout: the database has no Speak Out tables yet: run `speakout db upgrade`", file=sys.stderr)
        return None
    if not needed <= tables:
        print("speakout: the database is from an older version: run `speakout db upgrade`", file=sys.stderr)
        return None
    return make_sessionmaker(engine)


def _load_record(reference: str):
    """The case's record, or None having printed one line on why not."""
    from workflows.errors import NotFound
    from workflows.records import case_record, parse_reference

    try:
        parse_reference(reference)  # a typo is reported before the database is touched
        sessions = _read_sessions()
        if sessions is None:
            return None
        with sessions.begin() as session:
            return case_record(session, reference)
    except NotFound as error:
        print(f"speakout: {error}", file=sys.stderr)
        return None


def _case_show(args: argparse.Namespace) -> int:
    from workflows.records import render_markdown

    record = _load_record(args.reference)
    if record is None:
        return 2
    sys.stdout.write(render_markdown(record))
    return 0


def _case_export(args: argparse.Namespace) -> int:
    from workflows.records import render_json, render_markdown

    record = _load_record(args.reference)
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


def _write_private(path: str, text: str) -> None:
    """Write ``text`` to a file only its owner can read: it holds a report."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # an existing file keeps its old mode otherwise
        file.write(text)


def _person_history(args: argparse.Namespace) -> int:
    import re

    from workflows.records import person_history, render_history

    if not re.fullmatch(r"[UW][A-Z0-9]+", args.user_id):
        print(f"speakout: {args.user_id!r} is not a Slack user id (they look like U0123ABCD)", file=sys.stderr)
        return 2
    sessions = _read_sessions()
    if sessions is None:
        return 2
    with sessions.begin() as session:
        entries = person_history(session, args.user_id)
    sys.stdout.write(render_history(args.user_id, entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
