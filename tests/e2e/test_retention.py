"""Retention covers Slack too: once a case's texts are erased (on request with ``speakout case
purge``, or by the retention job), the app deletes its own messages about it from Slack, its
card, thread and DMs, and the timeline says how many, in counts only."""

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select, update

from db.enums import TimelineKind
from db.models import Case, TimelineEntry
from slack_app.runtime import jobs
from slack_app.sandbox.loopback import ORGANIZERS
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.e2e.cases_helpers import case_id, click, file_case, settle, thread_lines, wait_for_modal
from tests.e2e.helpers import eventually, wait_for_dms


def handled_case(local):
    """A case with a card, thread lines and DMs to the reporter and to the person named:
    acknowledged, the reporter messaged, someone asked to stop, closed."""
    alex, blake = (p.user_id for p in local.cast.participants[:2])
    olivia = local.cast.organizers[0].user_id
    card = file_case(local, alex, involved=[blake])
    cid = str(case_id(local))
    click(local, olivia, "case_acknowledge", card, value=cid)
    settle(local)
    click(local, olivia, "case_message_reporter", card, value=cid)
    wait_for_modal(local, olivia, "Message the reporter")
    local.slack.submit_view(olivia, {"message": "Could you tell us which session it was?"})
    settle(local)
    click(local, olivia, "case_record_action", card, value=cid)
    wait_for_modal(local, olivia, "Record an action")
    local.slack.submit_view(
        olivia,
        {"kind": "asked_to_stop", "subject": blake, "reason": "First time.", "message": "Please stop interrupting."},
    )
    settle(local)
    click(local, olivia, "case_close", card, value=cid)
    wait_for_modal(local, olivia, "Close the case")
    local.slack.submit_view(olivia, {"outcome": "action_taken", "summary": "Asked to stop; no repeat."})
    settle(local)
    wait_for_dms(local, alex, 4)  # receipt, acknowledged, the organizers' message, closed
    wait_for_dms(local, blake, 1)
    assert len(thread_lines(local, card)) >= 4
    return card, alex, blake


def posted(local, alex, blake) -> dict[str, list]:
    """What the app has in Slack, per conversation (ephemeral messages vanish by themselves)."""
    stand_in = local.stand_in
    return {
        ORGANIZERS: [m for m in stand_in.messages(ORGANIZERS) if m.ephemeral_for is None],
        alex: stand_in.dms_to(alex),
        blake: stand_in.dms_to(blake),
    }


def deletion_summary(local) -> str | None:
    with local.services.sessions.begin() as session:
        return session.scalar(
            select(TimelineEntry.summary)
            .join(Case, Case.id == TimelineEntry.case_id)
            .where(Case.number == 1, TimelineEntry.kind == TimelineKind.MESSAGES_DELETED)
        )


def wait_for_deletion(local) -> str:
    local.services.outbox.wake()
    return eventually(lambda: deletion_summary(local), what="the deletion on the timeline")


def test_purging_on_request_deletes_the_apps_messages_about_the_case(local, database_url, tmp_path):
    card, alex, blake = handled_case(local)
    before = posted(local, alex, blake)
    total = sum(len(messages) for messages in before.values())
    assert all(before.values()) and card.ts in {m.ts for m in before[ORGANIZERS]}
    # Someone deleted one thread line and the receipt by hand already.
    by_hand = [before[ORGANIZERS][1], before[alex][0]]
    for message in by_hand:
        local.services.client.chat_delete(channel=message.channel, ts=message.ts)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPEAKOUT_ENV_FILE": "/nonexistent",
        "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
    }
    done = subprocess.run(
        [sys.executable, "-m", "slack_app", "case", "purge", "CoC-0001", "--yes"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr

    # The running app's outbox does the deleting.
    assert wait_for_deletion(local) == f"Slack messages deleted: {total} (2 already gone)"
    assert posted(local, alex, blake) == {ORGANIZERS: [], alex: [], blake: []}
    deleted = {(call.params["channel"], call.params["ts"]) for call in local.stand_in.calls_to("chat.delete")}
    assert {(m.channel, m.ts) for messages in before.values() for m in messages} <= deleted


def test_the_retention_job_deletes_the_apps_messages_about_the_cases_it_erases(local):
    _card, alex, blake = handled_case(local)
    total = sum(len(messages) for messages in posted(local, alex, blake).values())
    with local.services.sessions.begin() as session:
        closed_at = session.scalar(select(Case.closed_at))
        session.execute(update(Case).values(closed_at=closed_at - timedelta(days=400)))

    jobs.bind(local.services)
    try:
        jobs.purge_expired()
    finally:
        jobs.bind(None)

    assert wait_for_deletion(local) == f"Slack messages deleted: {total}"
    assert posted(local, alex, blake) == {ORGANIZERS: [], alex: [], blake: []}
    with local.services.sessions.begin() as session:
        assert session.scalar(select(Case.purged_at)) is not None
