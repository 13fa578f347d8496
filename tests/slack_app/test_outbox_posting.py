"""Posting once: every post carries its outbox id, and a post an earlier attempt may have made
(its process died mid-send, or the call timed out) is looked for in Slack before it goes again.

A "dead process" here is what one leaves behind: its claim on the row (under this host and pid
with another nonce, as after a restart) and whatever Slack had taken from it, the handler having
run but its result never recorded."""

from sqlalchemy import select, update

from db.enums import OutboxState
from db.models import Case, OutboxMessage
from slack_app.delivery.claims import Claimer, Claims, this_process
from slack_app.delivery.posting import EVENT_TYPE
from slack_app.sandbox.loopback import ORGANIZERS
from tests.slack_app.test_outbox import REPORTER, file_report, services, stand_in  # noqa: F401 (fixtures)


def outbox(services, kind: str | None = None):  # noqa: F811
    with services.sessions.begin() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        rows = session.scalars(query if kind is None else query.where(OutboxMessage.kind == kind)).all()
        session.expunge_all()
        return rows


def die_after_slack_took(services, kind: str) -> None:  # noqa: F811
    """A process claims the message, Slack takes its post, and it dies before recording it."""
    me = this_process()
    dead = Claims(services.sessions, services.clock, Claimer(me.host, me.pid, "an-earlier-start"))
    (message,) = outbox(services, kind)
    assert dead.claim(message.id)
    (message,) = outbox(services, kind)
    services.outbox.handlers[kind](message)  # posted; what it would record is lost with the process


def restart(services) -> None:  # noqa: F811
    """What the next process does first: free the dead claims of this host."""
    assert services.outbox.claims.release_dead() >= 1


def card_ts(services) -> str | None:  # noqa: F811
    with services.sessions.begin() as session:
        return session.scalar(select(Case.card_ts))


def lookups(stand_in):  # noqa: F811
    return [c for c in stand_in.calls if c.method in ("conversations.history", "conversations.replies")]


def test_every_post_carries_its_outbox_id_and_nothing_else(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.deliver_due()

    ids = {row.kind: row.id for row in outbox(services)}
    posts = {
        c.params.get("thread_ts") is not None: c
        for c in stand_in.calls_to("chat.postMessage")
        if c.params["channel"] == ORGANIZERS
    }
    (receipt,) = [c for c in stand_in.calls_to("chat.postMessage") if c.params["channel"] != ORGANIZERS]
    for kind, call in (("case_card", posts[False]), ("case_details", posts[True]), ("receipt", receipt)):
        assert call.params["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": ids[kind]}}, kind
    assert lookups(stand_in) == []  # nothing was in doubt: no reading of Slack's history


def test_a_card_a_dead_process_posted_is_found_not_posted_again_and_its_ts_recorded(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    die_after_slack_took(services, "case_card")
    (posted,) = stand_in.messages(ORGANIZERS)
    restart(services)

    services.outbox.deliver_due()

    card, details = stand_in.messages(ORGANIZERS)
    assert card.ts == posted.ts and card_ts(services) == posted.ts
    assert details.thread_ts == posted.ts
    (lookup,) = lookups(stand_in)
    assert lookup.method == "conversations.history" and lookup.params["channel"] == ORGANIZERS
    assert lookup.params["include_all_metadata"] in ("1", "true", True)
    assert {row.state for row in outbox(services)} == {OutboxState.SENT}


def test_a_thread_reply_a_dead_process_posted_is_found_in_the_thread(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    stand_in.fail("chat.postMessage", error=None, times=1, channel=ORGANIZERS)  # the card goes
    stand_in.fail("chat.postMessage", status=500, times=1, channel=ORGANIZERS)  # the details don't, yet
    services.outbox.deliver_due()
    die_after_slack_took(services, "case_details")
    restart(services)
    clock.advance(seconds=2)

    services.outbox.deliver_due()

    card, details = stand_in.messages(ORGANIZERS)
    assert details.thread_ts == card.ts
    (lookup,) = lookups(stand_in)
    assert (lookup.method, lookup.params["ts"]) == ("conversations.replies", card.ts)
    assert {row.state for row in outbox(services)} == {OutboxState.SENT}


def test_a_receipt_a_dead_process_sent_is_found_in_the_dm_and_remembered(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    die_after_slack_took(services, "receipt")
    (sent,) = stand_in.dms_to(REPORTER)
    restart(services)

    services.outbox.deliver_due()

    assert [m.ts for m in stand_in.dms_to(REPORTER)] == [sent.ts]
    with services.sessions.begin() as session:
        assert session.execute(select(Case.reporter_dm_channel, Case.reporter_dm_ts)).one() == (sent.channel, sent.ts)


def test_a_message_whose_process_died_before_slack_took_it_is_posted_once(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    me = this_process()
    (card,) = outbox(services, "case_card")
    assert Claims(services.sessions, services.clock, Claimer(me.host, me.pid, "an-earlier-start")).claim(card.id)
    restart(services)

    services.outbox.deliver_due()

    assert len(stand_in.messages(ORGANIZERS)) == 2
    assert [c.method for c in lookups(stand_in)] == ["conversations.history"]


def test_a_post_of_an_older_database_with_the_same_id_is_not_taken_for_this_one(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    die_after_slack_took(services, "case_card")
    restart(services)
    # As if the database were new and this id queued only now, after that post.
    (card,) = outbox(services, "case_card")
    later = clock.advance(days=30)
    with services.sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == card.id).values(created_at=later))

    services.outbox.deliver_due()

    old, new, _details = stand_in.messages(ORGANIZERS)
    assert card_ts(services) == new.ts != old.ts


def test_a_post_cut_off_before_its_answer_is_not_resent_by_the_client_but_looked_up_first(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    stand_in.fail("chat.postMessage", drop=True, times=1, channel=ORGANIZERS)  # the connection closes unanswered

    services.outbox.deliver_due()

    assert len([c for c in stand_in.calls_to("chat.postMessage") if c.params["channel"] == ORGANIZERS]) == 1
    (card,) = outbox(services, "case_card")
    assert (card.state, card.maybe_sent) == (OutboxState.PENDING, True)

    clock.advance(seconds=2)
    services.outbox.deliver_due()
    assert len(stand_in.messages(ORGANIZERS)) == 2  # not found (the stand-in dropped it unposted): posted once
    assert [c.method for c in lookups(stand_in)] == ["conversations.history"]


def test_a_post_that_timed_out_after_slack_took_it_is_found_not_posted_again(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.client.timeout = 1
    stand_in.fail("chat.postMessage", error=None, answer_delay=3, times=1, channel=ORGANIZERS)

    services.outbox.deliver_due()
    (posted,) = stand_in.messages(ORGANIZERS)
    assert card_ts(services) is None

    clock.advance(seconds=2)
    services.outbox.deliver_due()
    card, details = stand_in.messages(ORGANIZERS)
    assert card.ts == posted.ts == card_ts(services) and details.thread_ts == posted.ts


def test_without_the_history_scope_the_post_goes_out_once_and_nothing_pauses(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    die_after_slack_took(services, "case_card")
    restart(services)
    stand_in.fail("conversations.history", error="missing_scope", times=None)

    services.outbox.deliver_due()

    assert len([m for m in stand_in.messages(ORGANIZERS) if m.thread_ts is None]) == 2  # at least once, as before
    assert services.outbox.slack_status()["paused"] is None
    assert {row.state for row in outbox(services)} == {OutboxState.SENT}
