"""An admin's maintenance commands: ``speakout keys``, ``speakout reminders list`` and
``speakout db upgrade``."""

import argparse
import logging
import os

from slack_app.cli.database import read_sessions


def print_new_key(args: argparse.Namespace) -> int:
    """``speakout keys generate``."""
    from db.crypto import generate_key

    print(generate_key())
    return 0


def rotate_keys(args: argparse.Namespace) -> int:
    """Put the new key first in ENCRYPTION_KEY (keeping the old ones after it), run this, then
    drop the old keys once it has finished."""
    from db.base import Base
    from db.crypto import rotate_all

    sessions = read_sessions()
    if sessions is None:
        return 2
    with sessions.begin() as session:
        rewritten = rotate_all(session, Base.metadata)
    print(f"Re-encrypted {rewritten} values with the newest key. The older keys can now be removed.")
    return 0


def list_reminders(args: argparse.Namespace) -> int:
    from workflows.reminders import pending_reminders

    sessions = read_sessions()
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


def upgrade_database(args: argparse.Namespace) -> int:
    """The one command that may create or migrate the database."""
    from db.migrate import upgrade
    from db.session import make_engine
    from slack_app.core.settings import DATABASE_DEFAULT

    url = os.environ.get("DATABASE_URL") or DATABASE_DEFAULT
    engine = make_engine(url)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    upgrade(engine)
    print(f"Database is up to date ({engine.url.render_as_string(hide_password=True)}).")
    return 0
