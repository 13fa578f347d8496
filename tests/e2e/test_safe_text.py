"""Hostile words through the whole product: a report and a DM reply written to ping everyone,
mention someone and hide a link reach the organizers as the words they are, and nothing the
app posts unfurls a preview."""

import json
import re

from slack_app.sandbox.loopback import ORGANIZERS
from tests.e2e.helpers import eventually, outbox_drained, report, seen, wait_for_channel, wait_for_dms

VICTIM = "U0VICTIM1"
HOSTILE = f"<!channel> <@{VICTIM}> please log in at <https://evil.example/login|the event site> ```"
# What the hostile words would do if taken as markup (the app's own dates and mentions are fine).
MARKUP = re.compile(rf"<!channel>|<!here>|<@{VICTIM}|<https://evil\.example|```")


def mrkdwn(message) -> list[str]:
    """The message's notification text and every mrkdwn text in its blocks."""
    found = [message.text]

    def walk(value) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(value["text"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message.blocks or [])
    return found


def test_hostile_words_in_a_report_and_a_reply_cannot_ping_mention_or_link(local):
    alex = local.cast.participants[0].user_id
    report(local, alex, text=HOSTILE, location_text=HOSTILE, others_involved=HOSTILE)
    card, details = wait_for_channel(local, ORGANIZERS, 2)
    (receipt,) = wait_for_dms(local, alex, 1)
    # In a DM, what the reporter typed reaches the app the way Slack encodes it.
    typed = f"<!here> also <@{VICTIM}> sent me <https://evil.example/x|a harmless page> &lt;3"
    assert local.slack.event(local.slack.dm_message(alex, typed, thread_ts=receipt.ts)).status == 200
    relayed = local.stand_in.wait_for(
        lambda: len(thread := local.stand_in.thread(ORGANIZERS, card.ts)) >= 2 and thread, what="the relayed reply"
    )[-1]
    eventually(lambda: outbox_drained(local), what="every message sent")

    details_text = seen(local, details)
    assert HOSTILE in details_text  # shown as written: the words, not what they would do
    assert details_text.count(HOSTILE) == 3  # what happened, where, who else
    assert "@here also @U0VICTIM1 sent me a harmless page (https://evil.example/x) <3" in seen(local, relayed)

    posted = [*local.stand_in.messages(ORGANIZERS), *local.stand_in.dms_to(alex)]
    for message in posted:
        for text in mrkdwn(message):
            assert not MARKUP.search(text), text
        assert (message.unfurl_links, message.unfurl_media) == (False, False)
    assert VICTIM not in json.dumps([message.to_dict() for message in posted]).replace(f"@{VICTIM}", "")
