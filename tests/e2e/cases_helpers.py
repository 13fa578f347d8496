"""Driving a case card like an organizer would."""

from sqlalchemy import select

from db.models import Case, TimelineEntry
from slack_app.sandbox.loopback import ORGANIZERS, LocalSpeakOut
from tests.e2e.helpers import report, seen


def file_case(local: LocalSpeakOut, reporter: str, *, channel: str = ORGANIZERS, **values):
    """File a report and return its card once it is in ``channel``."""
    values.setdefault("description", "He kept interrupting every talk I gave.")
    cards_before = len(_cards(local, channel))
    report(local, reporter, **values)
    card = local.stand_in.wait_for(
        lambda: len(cards := _cards(local, channel)) > cards_before and cards[-1], what=f"a new card in {channel}"
    )
    settle(local)
    return card


def _cards(local: LocalSpeakOut, channel: str) -> list:
    return [message for message in local.stand_in.messages(channel) if message.thread_ts is None]


def settle(local: LocalSpeakOut) -> None:
    local.settle()


def case_id(local: LocalSpeakOut, number: int = 1) -> int:
    with local.services.sessions.begin() as session:
        return session.scalar(select(Case.id).where(Case.number == number))


def click(local: LocalSpeakOut, user: str, action_id: str, card, *, value: str | None = None, selected=None):
    """Press a button (or pick a menu option) on the card, as ``user``."""
    response = local.slack.block_action(
        user, action_id, value=value, message=card.to_dict(), channel_id=card.channel, selected=selected
    )
    assert response.status == 200
    return response


def card_now(local: LocalSpeakOut, card) -> str:
    return seen(local, local.stand_in.message(card.channel, card.ts))


def thread_lines(local: LocalSpeakOut, card) -> list[str]:
    return [seen(local, message) for message in local.stand_in.thread(card.channel, card.ts)]


def timeline(local: LocalSpeakOut, number: int = 1) -> list[tuple[str, str | None]]:
    with local.services.sessions.begin() as session:
        rows = session.execute(
            select(TimelineEntry.kind, TimelineEntry.actor_id)
            .join(Case, Case.id == TimelineEntry.case_id)
            .where(Case.number == number)
            .order_by(TimelineEntry.id)
        ).all()
    return [(kind.value, actor) for kind, actor in rows]


def ephemerals(local: LocalSpeakOut, user: str) -> list[str]:
    return [message.text for message in local.stand_in.ephemerals_for(user)]


def wait_for_modal(local: LocalSpeakOut, user: str, title: str):
    return local.stand_in.wait_for(
        lambda: (view := local.stand_in.open_view(user)) and view["title"]["text"] == title and view,
        what=f"the {title!r} modal",
    )
