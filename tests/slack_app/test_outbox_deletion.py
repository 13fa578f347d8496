"""A purged case's own Slack messages deleted through the outbox: each post remembered with its
case as it is marked sent, then deleted with ``chat.delete``, Slack's refusals taken by meaning."""

from sqlalchemy import func, select

from db.enums import OutboxState, TimelineKind
from db.models import Case, OutboxMessage, PostedMessage, TimelineEntry
from slack_app.sandbox.loopback import ORGANIZERS
from tests.e2e.helpers import eventually
from tests.slack_app.test_outbox import REPORTER, file_report, services, stand_in  # noqa: F401 (fixtures)
from workflows.messages import MessageKind
from workflows.outbox import OutboxNotifier
from workflows.retention import purge_case


def purge(services):  # noqa: F811
    with services.sessions.begin() as session:
        case = session.scalar(select(Case))
        purge_case(session, OutboxNotifier(session, services.clock()), case, now=services.clock(), why="on request")


def remembered(services):  # noqa: F811
    with services.sessions.begin() as session:
        return set(session.execute(select(PostedMessage.channel, PostedMessage.ts)).all())


def deletion_entries(services):  # noqa: F811
    with services.sessions.begin() as session:
        return session.scalars(
            select(TimelineEntry.summary).where(TimelineEntry.kind == TimelineKind.MESSAGES_DELETED)
        ).all()


def deletion_state(services):  # noqa: F811
    with services.sessions.begin() as session:
        return session.execute(
            select(OutboxMessage.state, OutboxMessage.attempts).where(
                OutboxMessage.kind == MessageKind.DELETE_SLACK_MESSAGES
            )
        ).one()


def in_slack(stand_in):  # noqa: F811
    return [*stand_in.messages(ORGANIZERS), *stand_in.dms_to(REPORTER)]


def test_every_post_about_a_case_is_remembered_where_it_landed(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.deliver_due()

    card, details = stand_in.messages(ORGANIZERS)
    (receipt,) = stand_in.dms_to(REPORTER)
    assert remembered(services) == {(m.channel, m.ts) for m in (card, details, receipt)}


def test_purging_deletes_the_cases_messages_and_says_how_many_on_the_timeline(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.deliver_due()
    assert len(in_slack(stand_in)) == 3

    purge(services)
    assert services.outbox.deliver_due().sent == 1

    assert in_slack(stand_in) == []
    assert len(stand_in.calls_to("chat.delete")) == 3
    assert deletion_entries(services) == ["Slack messages deleted: 3"]
    assert remembered(services) == set()  # forgotten once deleted
    assert deletion_state(services) == (OutboxState.SENT, 1)


def test_a_rate_limit_midway_carries_on_with_the_rest_and_counts_each_once(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.deliver_due()
    purge(services)
    stand_in.reset_calls()
    # The first deletion goes, the second is rate-limited.
    stand_in.fail("chat.delete", error=None, times=1)
    stand_in.fail("chat.delete", status=429, error="ratelimited", retry_after=1, times=1)

    services.outbox.deliver_due()
    assert len(in_slack(stand_in)) == 2 and deletion_entries(services) == []
    assert deletion_state(services) == (OutboxState.PENDING, 0)  # no attempt used up

    def done() -> bool:
        services.outbox.deliver_due()
        return bool(deletion_entries(services))

    eventually(done, timeout=5, what="the rest deleted once chat.delete may be called again")
    assert in_slack(stand_in) == []
    # Deleted once each (the rate-limited call was not carried out), none counted as already gone.
    assert len(stand_in.calls_to("chat.delete")) == 4
    assert deletion_entries(services) == ["Slack messages deleted: 3"]


def test_a_refused_token_pauses_the_deletion_with_the_rest_of_the_outbox(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.deliver_due()
    purge(services)
    stand_in.fail("chat.delete", error="token_revoked", times=None)
    stand_in.fail("auth.test", error="token_revoked", times=None)

    stats = services.outbox.deliver_due()
    assert stats.paused == 1 and stats.failed == 0
    assert services.outbox.slack_status()["paused"] == "token_revoked"
    assert len(in_slack(stand_in)) == 3 and deletion_entries(services) == []

    stand_in.clear_failures()  # the app was reinstalled
    clock.advance(seconds=30)
    assert services.outbox.deliver_due().sent == 1
    assert in_slack(stand_in) == [] and deletion_entries(services) == ["Slack messages deleted: 3"]


def test_messages_gone_or_out_of_reach_are_counted_and_the_rest_still_go(services, stand_in, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.deliver_due()
    (receipt,) = stand_in.dms_to(REPORTER)
    services.client.chat_delete(channel=receipt.channel, ts=receipt.ts)  # someone deleted it already
    stand_in.set_members(ORGANIZERS, ["U0ORGANIZ1"], bot_member=False)  # the app was removed from the channel
    purge(services)

    assert services.outbox.deliver_due().sent == 1

    assert len(stand_in.messages(ORGANIZERS)) == 2  # out of the app's reach: left
    assert deletion_entries(services) == [
        "Slack messages deleted: 1 (1 already gone); 2 left in channels the app can no longer reach"
    ]
    assert deletion_state(services) == (OutboxState.SENT, 1)
    with services.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(PostedMessage)) == 0
