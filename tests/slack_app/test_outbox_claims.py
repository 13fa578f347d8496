"""Outbox claims belong to a process: a short lease, renewed while the message is in flight,
and freed at once at start-up when the process that held it is gone (real database, injected
clock and pids)."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from db.models import OutboxMessage
from slack_app.delivery.claims import LEASE, Claimer, Claims, this_process
from tests.slack_app.test_outbox import file_report, services, stand_in  # noqa: F401 (fixtures)

HOST = "crash-host"
ME = Claimer(HOST, 4242, "live0nonce")


def claims_of(services, claimer: Claimer, **options) -> Claims:  # noqa: F811
    return Claims(services.sessions, services.clock, claimer, **options)


def rows(services):  # noqa: F811
    with services.sessions.begin() as session:
        return session.execute(
            select(
                OutboxMessage.id, OutboxMessage.claimed_by, OutboxMessage.claimed_until, OutboxMessage.maybe_sent
            ).order_by(OutboxMessage.id)
        ).all()


def hold(services, message_id: int, claimed_by: str | None, until) -> None:  # noqa: F811
    with services.sessions.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(claimed_by=claimed_by, claimed_until=until)
        )


def test_a_claim_names_its_process_and_lasts_a_short_lease(services, clock):  # noqa: F811
    file_report(services, clock)
    first = rows(services)[0].id
    mine, theirs = claims_of(services, ME), claims_of(services, Claimer("other-host", 7, "n"))

    assert mine.claim(first)
    (claimed,) = [row for row in rows(services) if row.id == first]
    assert (claimed.claimed_by, claimed.claimed_until, claimed.maybe_sent) == (str(ME), clock() + LEASE, False)
    assert timedelta(seconds=15) >= LEASE
    assert not theirs.claim(first) and not mine.claim(first)

    clock.advance(seconds=LEASE.total_seconds())
    # The lease ran out with nobody finishing the message: whoever takes it must look in Slack first.
    assert theirs.claim(first)
    (taken,) = [row for row in rows(services) if row.id == first]
    assert (taken.claimed_by, taken.maybe_sent) == ("other-host:7:n", True)


def test_a_released_claim_is_taken_again_without_suspicion(services, clock):  # noqa: F811
    file_report(services, clock)
    services.outbox.claims.claimer = ME
    services.outbox.deliver_due()  # everything sent; each claim ended on its row
    assert {(row.claimed_by, row.claimed_until, row.maybe_sent) for row in rows(services)} == {(None, None, False)}


def test_the_heartbeat_keeps_the_claims_of_messages_in_flight_alive_and_only_those(services, clock):  # noqa: F811
    file_report(services, clock)
    card, details, _receipt = (row.id for row in rows(services))
    mine, theirs = claims_of(services, ME), claims_of(services, Claimer("other-host", 7, "n"))
    assert mine.claim(card) and mine.claim(details)

    with mine.holding(card):
        with mine.holding(details):
            clock.advance(seconds=8)
            assert mine.renew() == 2
        clock.advance(seconds=8)
        assert mine.renew() == 1  # the card alone is still in flight
        clock.advance(seconds=LEASE.total_seconds() - 8)  # past the details' last renewal
        assert theirs.claim(details)
        assert not theirs.claim(card)
    clock.advance(seconds=LEASE.total_seconds())
    assert mine.renew() == 0 and theirs.claim(card)


def test_a_claim_taken_over_is_not_renewed_by_its_old_holder(services, clock):  # noqa: F811
    file_report(services, clock)
    card = rows(services)[0].id
    mine, theirs = claims_of(services, ME), claims_of(services, Claimer("other-host", 7, "n"))
    assert mine.claim(card)
    with mine.holding(card):
        clock.advance(seconds=LEASE.total_seconds())  # this process stalled past its lease
        assert theirs.claim(card)
        assert mine.renew() == 0
    assert rows(services)[0].claimed_by == "other-host:7:n"


@pytest.mark.parametrize(
    ("claimed_by", "freed"),
    [
        (f"{HOST}:9999:deadnonce", True),  # same host, that pid is gone
        (f"{HOST}:{ME.pid}:oldnonce", True),  # same host and pid, another start (a restarted container)
        (f"{HOST}:5555:livenonce", False),  # same host, a live process
        (str(ME), False),  # this process itself
        ("other-host:9999:deadnonce", False),  # another host: its lease runs out on its own
        ("not a claimer", False),
    ],
)
def test_at_start_up_the_claims_of_dead_processes_of_this_host_are_freed_at_once(
    services,  # noqa: F811
    clock,
    claimed_by,
    freed,
):
    file_report(services, clock)
    card = rows(services)[0].id
    hold(services, card, claimed_by, clock() + LEASE)
    mine = claims_of(services, ME, alive=lambda pid: pid == 5555)

    assert mine.release_dead() == int(freed)

    (row,) = [row for row in rows(services) if row.id == card]
    if freed:
        assert (row.claimed_by, row.claimed_until, row.maybe_sent) == (None, None, True)
        assert mine.claim(card)  # at once: no lease to wait out
    else:
        assert (row.claimed_by, row.maybe_sent) == (claimed_by, False)
        assert not mine.claim(card)


def test_starting_the_dispatcher_frees_the_claims_a_dead_process_of_this_host_left(services, clock):  # noqa: F811
    file_report(services, clock)
    card = rows(services)[0].id
    me = this_process()
    dead = Claimer(me.host, me.pid, "a-previous-start")
    hold(services, card, str(dead), clock() + LEASE)

    services.outbox.start()
    try:
        (row,) = [row for row in rows(services) if row.id == card]
        assert row.claimed_by in (None, str(me))  # freed at start; this process may have taken it since
        assert row.maybe_sent
    finally:
        services.outbox.stop()


def test_this_process_has_one_identity_naming_its_host_and_pid():
    me = this_process()
    assert this_process() is me
    assert Claimer.parse(str(me)) == me
    assert Claimer.parse("host:with:colons:12:abc") == Claimer("host:with:colons", 12, "abc")
