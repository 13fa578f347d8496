"""What the own-up listeners share beyond the case desk: an own-up id as a pointer to its
case and facts, and a step taken by the person asked or the recipient."""

from typing import Any

from db import queries
from db.models import OwnUp
from slack_app.bolt.case_desk import CaseDesk, Change
from slack_app.bolt.forms import ViewState
from slack_app.core.ids import OwnUpField
from workflows.outbox import OutboxNotifier
from workflows.reporter_messages import claim_event


class OwnUpDesk(CaseDesk):
    """The case desk for organizers' steps, plus what a party's own step needs."""

    def case_of(self, own_up_id: int | None) -> int | None:
        if own_up_id is None:
            return None
        with self.services.sessions.begin() as session:
            own_up = session.get(OwnUp, own_up_id)
            return own_up.case_id if own_up else None

    def own_up_facts(self, own_up_id: int | None) -> queries.OwnUpFacts | None:
        with self.services.sessions.begin() as session:
            return queries.own_up_facts(session, own_up_id) if own_up_id else None

    def change_as_party(self, change: Change, own_up_id: int | None, user_id: str, once: str | None = None) -> Any:
        """A step by the person asked or the recipient: the workflow checks it is theirs."""
        with self.services.sessions.begin() as session:
            now = self.services.clock()
            if once is not None and not claim_event(session, f"view:{once}", now):
                return None  # the same modal submitted twice
            result = change(session, OutboxNotifier(session, now), own_up_id=own_up_id, user_id=user_id, now=now)
        self.services.outbox.wake()
        return result


def field_text(state: ViewState, field: OwnUpField) -> str:
    return state.text(field, field.action) or ""
