"""The ``speakout`` command."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from dotenv import load_dotenv
from sqlalchemy.exc import SQLAlchemyError

from slack_app.settings import SettingsError, load_settings


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
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="play a report from start to finish, with no Slack needed")
    demo.set_defaults(run=_demo)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="apply the database migrations").set_defaults(run=_db_upgrade)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from slack_app.server import serve

    settings = load_settings(socket_mode=args.socket_mode)
    return serve(settings, host=args.host, port=args.port, socket_mode=args.socket_mode)


def _demo(args: argparse.Namespace) -> int:
    from slack_app.demo import run_demo

    return run_demo()


def _db_upgrade(args: argparse.Namespace) -> int:
    from db.migrate import upgrade
    from db.session import make_engine
    from slack_app.settings import DATABASE_DEFAULT

    url = os.environ.get("DATABASE_URL") or DATABASE_DEFAULT
    engine = make_engine(url)
    upgrade(engine)
    print(f"Database is up to date ({engine.url.render_as_string(hide_password=True)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
