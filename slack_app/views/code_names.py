"""Code names for a case's people where every organizer reads (the card and its thread): the
people a report names are Person A, Person B… in the order it names them, and the reporter is
"the reporter", so the channel's history (read by whoever joins it later, too) never says who
was reported or who reported. The names behind them open on demand ("Open report"), where a
reporter who chose to be named is named, as they agreed."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from db.queries import CaseFacts
from slack_app.views.labels import mention

_MENTION = re.compile(r"<@([A-Z0-9]+)>")


@dataclass(frozen=True)
class People:
    """How the case's people are named in a message: by code name, or (``names`` empty) by
    a Slack mention, when the team keeps the report's words in the thread."""

    names: dict[str, str] = field(default_factory=dict)

    def name(self, user_id: str) -> str:
        return self.names.get(user_id) or mention(user_id)

    def names_of(self, user_ids: list[str] | tuple[str, ...]) -> str:
        return ", ".join(self.name(user_id) for user_id in user_ids)

    def in_text(self, mrkdwn: str) -> str:
        """The app's own mrkdwn (a timeline summary) with its mentions of the case's people
        replaced by their code names; organizers' mentions stay."""
        return _MENTION.sub(lambda match: self.names.get(match.group(1)) or match.group(0), mrkdwn)


NAMED = People()
THE_REPORTER = "the reporter"


def code_names(case: CaseFacts) -> People:
    return code_names_of(case.involved, [subject for _, subject, _, _ in case.own_ups], case.reporter_id)


def code_names_of(involved: Iterable[str], own_up_subjects: Iterable[str], reporter_id: str | None) -> People:
    """Person A, B… for the people the case names, then for anyone asked to own up; "the
    reporter" for a named reporter."""
    order = [user_id for user_id in dict.fromkeys([*involved, *own_up_subjects]) if user_id != reporter_id]
    names = {user_id: f"Person {_letter(index)}" for index, user_id in enumerate(order)}
    return People({**names, reporter_id: THE_REPORTER} if reporter_id else names)


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)
