"""The ``speakout`` command: its arguments, and the commands that run Speak Out (serve,
worker, demo). The record commands are in ``records``, the maintenance ones in ``admin``."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from dotenv import load_dotenv
from sqlalchemy.exc import SQLAlchemyError

from slack_app.cli import admin, records
from slack_app.cli.outbox import add_outbox
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
    # In this order in `speakout --help`.
    _add_serve(commands)
    worker = commands.add_parser("worker", help="run the reminder scheduler (and message delivery), no web server")
    worker.set_defaults(run=_worker)
    _add_keys(commands)
    reminders = commands.add_parser("reminders", help="follow-up reminders").add_subparsers(title="reminder commands")
    reminders.add_parser("list", help="pending reminders: case, kind, due").set_defaults(run=admin.list_reminders)
    demo = commands.add_parser("demo", help="play a report from start to finish, with no Slack needed")
    demo.add_argument("--socket-mode", action="store_true", help="Slack's requests over a Socket Mode connection")
    demo.set_defaults(run=_demo)
    db = commands.add_parser("db", help="database maintenance").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="apply the database migrations").set_defaults(run=admin.upgrade_database)
    add_outbox(commands)
    _add_case(commands)
    _add_person(commands)
    return parser


def _add_serve(commands) -> None:
    serve = commands.add_parser("serve", help="run the app (HTTP on /slack/events, or Socket Mode)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000))
    serve.add_argument("--socket-mode", action="store_true", help="connect out to Slack with SLACK_APP_TOKEN")
    serve.add_argument(
        "--no-scheduler", action="store_true", help="web only: reminders are run by a separate `speakout worker`"
    )
    serve.set_defaults(run=_serve)


def _add_keys(commands) -> None:
    keys = commands.add_parser("keys", help="encryption keys for reports at rest").add_subparsers(title="key commands")
    keys.add_parser("generate", help="print a new key for ENCRYPTION_KEY").set_defaults(run=admin.print_new_key)
    keys.add_parser(
        "rotate", help="re-encrypt everything with the newest key (the first in ENCRYPTION_KEY)"
    ).set_defaults(run=admin.rotate_keys)


def _add_case(commands) -> None:
    case = commands.add_parser("case", help="an organizer's record of one case").add_subparsers(title="case commands")
    show = case.add_parser("show", help="print a case's full record (Markdown)")
    show.add_argument("reference", help="the case reference, e.g. CoC-0042")
    show.set_defaults(run=records.show_case)
    export = case.add_parser("export", help="write a case's full record to a file only you can read")
    export.add_argument("reference", help="the case reference, e.g. CoC-0042")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("--output", metavar="PATH", help="the file to write (default: CoC-0042.md in this directory)")
    export.set_defaults(run=records.export_case)
    purge = case.add_parser("purge", help="erase a case's texts and names now, keeping it for counts")
    purge.add_argument("reference", help="for example CoC-0042")
    purge.add_argument("--yes", action="store_true", help="really erase (it can't be undone)")
    purge.set_defaults(run=records.erase_case)


def _add_person(commands) -> None:
    person = commands.add_parser("person", help="what the records say about a person").add_subparsers(
        title="person commands"
    )
    history = person.add_parser("history", help="the cases that name a Slack user (never who reported)")
    history.add_argument("user_id", help="a Slack user id, e.g. U0123ABCD")
    history.set_defaults(run=records.show_person_history)


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


def _demo(args: argparse.Namespace) -> int:
    from slack_app.sandbox.demo import run_demo

    return run_demo(socket_mode=args.socket_mode)


if __name__ == "__main__":
    sys.exit(main())
