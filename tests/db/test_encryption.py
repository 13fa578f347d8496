"""Reports, notes, relayed messages and apologies are encrypted at rest, with key rotation."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import text

from db.crypto import generate_key
from db.session import make_engine, make_sessionmaker
from slack_app.sandbox.loopback import ORGANIZERS
from tests.conftest import TEST_ENCRYPTION_KEY, reset_database
from tests.e2e.cases_helpers import case_id, click, file_case, settle, wait_for_modal

SECRETS = {
    "description": "Quentin pinned me against the wall by the cloakroom",
    "note": "Venue security has footage from camera seven",
    "message": "Could you tell us roughly what time it was",
    "reply": "Around half past nine, just before the raffle",
}


def raw_text_of_the_database(engine) -> str:
    """Every stored value as the database holds it (not through the app's types)."""
    chunks = []
    with engine.connect() as connection:
        for table in ("reports", "timeline_entries", "case_actions", "cases", "outbox", "own_ups"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                chunks.append(" ".join(str(value) for value in row))
    return "\n".join(chunks)


def test_nothing_people_wrote_is_stored_in_plaintext(local, database_url):
    alex, blake = local.cast.participants[0].user_id, local.cast.participants[1].user_id
    olivia = local.cast.organizers[0].user_id
    card = file_case(local, alex, involved=[blake], description=SECRETS["description"])
    cid = str(case_id(local))
    click(local, olivia, "case_note", card, value=cid)
    wait_for_modal(local, olivia, "Add a note")
    local.slack.submit_view(olivia, {"note": SECRETS["note"]})
    click(local, olivia, "case_message_reporter", card, value=cid)
    wait_for_modal(local, olivia, "Message the reporter")
    local.slack.submit_view(olivia, {"message": SECRETS["message"]})
    settle(local)
    local.slack.event(local.slack.dm_message(alex, SECRETS["reply"]))
    settle(local)

    # The organizers did read it all in Slack...
    thread = " ".join(str(m.to_dict()) for m in local.stand_in.messages(ORGANIZERS))
    assert SECRETS["description"] in thread and SECRETS["reply"] in thread
    # ...but the database holds none of it readably.
    raw = raw_text_of_the_database(local.services.engine)
    for secret in SECRETS.values():
        assert secret not in raw
    assert "enc1:" in raw
    if database_url.startswith("sqlite"):
        path = local.services.engine.url.database
        files = [name for name in (path, path + "-wal") if os.path.exists(name)]
        # Read the file from another process: opening and closing a live SQLite file in this
        # one would drop this process's SQLite locks on it (POSIX advisory locks are per process).
        for secret in SECRETS.values():
            found = subprocess.run(["grep", "-c", "-F", secret, *files], capture_output=True, text=True)
            assert found.returncode == 1, f"{secret!r} is readable in {files}: {found.stdout}"


def test_rotation_re_encrypts_with_the_newest_key_and_old_keys_can_go(database_url, clean_db, tmp_path):
    from slack_app.sandbox.loopback import LocalSpeakOut
    from tests.e2e.helpers import report

    with LocalSpeakOut(database_url, env={"ENCRYPTION_KEY": TEST_ENCRYPTION_KEY}) as local:
        report(local, local.cast.participants[0].user_id, text=SECRETS["description"])
        local.settle()
    new_key = generate_key()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPEAKOUT_ENV_FILE": "/nonexistent",
        "ENCRYPTION_KEY": f"{new_key},{TEST_ENCRYPTION_KEY}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "slack_app", "keys", "rotate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Re-encrypted ")

    only_new = make_engine(database_url, keys=[new_key])
    try:
        from db.models import Report

        with make_sessionmaker(only_new).begin() as session:
            assert session.query(Report).one().description == SECRETS["description"]
    finally:
        only_new.dispose()
    only_old = make_engine(database_url, keys=[TEST_ENCRYPTION_KEY])
    try:
        from db.models import Report

        with pytest.raises(InvalidToken), make_sessionmaker(only_old).begin() as session:
            session.query(Report).one().description  # noqa: B018
    finally:
        only_old.dispose()
    reset_database(clean_db)


def test_serve_refuses_to_start_without_a_key_and_says_how_to_make_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ENCRYPTION_", "DATABASE_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-1-2-abc",
        SLACK_SIGNING_SECRET="0123456789abcdef",
        ORGANIZER_CHANNEL_ID="C0ORGANIZE",
        SPEAKOUT_ENV_FILE="/nonexistent",
    )
    result = subprocess.run(
        [sys.executable, "-m", "slack_app", "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "speakout: ENCRYPTION_KEY is not set: generate one with `speakout keys generate` and keep it safe: "
        "reports can't be read without it"
    ]
    generated = subprocess.run(
        [sys.executable, "-m", "slack_app", "keys", "generate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert generated.returncode == 0 and len(generated.stdout.strip()) == 44
