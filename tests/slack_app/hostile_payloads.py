"""The pieces of a hostile payload, as Hypothesis strategies: junk values, text that is never
acceptable, numerals of every script, ids that look almost right, and the senders that are
never an organizer or the reporter. ``Target`` draws pointers, metadata and modal state
aimed at one real case."""

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from db.enums import ActionKind, CaseStatus, Category, Outcome, RecipientAnswer
from slack_app.core import ids
from slack_app.sandbox.loopback import ESCALATION, GENERAL, ORGANIZERS, LocalSpeakOut

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
not_text = st.none() | st.booleans() | st.integers() | st.lists(junk, max_size=2) | st.dictionaries(st.text(), junk)
huge = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["a", "é", "\n", '"', "\\", "\u202e", "\U0001d54f"]),
    st.integers(3001, 20_000),
)
# Typed text that is never acceptable: blank, over every limit, or not text at all.
bad_text = st.sampled_from(["", " ", "\n\t "]) | huge | not_text
# Digits as any script writes them ("٣", "²", "①"): whatever str.isdigit() accepts.
numerals = st.text(st.characters(categories=["Nd", "No"]).filter(str.isdigit), min_size=1, max_size=3)
people = ["U0PARTIC01", "U0PARTIC02", "U0PARTIC03", "U0ORGANIZ1", "U0ORGANIZ2", "U0LEADORG1"]
slackish_ids = st.sampled_from(
    [*people, ORGANIZERS, ESCALATION, GENERAL, "U0PARTIC01\n", "u0partic01", "U" + "A" * 40, "U", "D0DIRECT01"]
)
choices = [
    *ids.Choice,
    *Category,
    *Outcome,
    *ActionKind,
    *RecipientAnswer,
    *(f"case:{status}" for status in CaseStatus),
    "1d",
    "3d",
    "recording",
    "x" * 100,
]
block_ids = st.sampled_from([*ids.Block, *ids.CaseField, *ids.OwnUpField]) | st.text(max_size=8)
action_ids = st.sampled_from([*ids.Action, *(f.action for f in ids.CaseField), *(f.action for f in ids.OwnUpField)])
attackers = st.sampled_from(["U0PARTIC02", "U0PARTIC03"])  # the person reported, a bystander
# Who a payload says it is from: an attacker, or no valid user at all (never an organizer or the reporter).
senders = attackers | st.sampled_from(["U0PARTIC01\n", "u0partic02", "U" + "A" * 40, "U", "U0ORGANIZ1 ", ""])


def loosely(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """An object whose every field is well formed, wrongly typed, or missing."""
    return st.fixed_dictionaries({}, optional={name: strategy | junk for name, strategy in fields.items()})


@dataclass
class Target:
    local: LocalSpeakOut
    case_id: int
    state: dict[str, object]

    def pointers(self) -> st.SearchStrategy[Any]:
        """What a button value or ``private_metadata`` id could be made to say."""
        return st.sampled_from(self.odd_pointers()) | numerals | st.integers() | junk

    def odd_pointers(self) -> list[str]:
        real = [str(self.case_id), f"{self.case_id}:acknowledged", f"{self.case_id}:apology_accepted"]
        return [*real, "0", "-1", "1.0", " 1", "99999999999", "9" * 40, "1e3", f"{self.case_id}; DROP TABLE cases"]

    def metadata(self) -> st.SearchStrategy[str]:
        """``private_metadata``: mostly the ids the app puts there, pointing anywhere."""
        pointer = self.pointers()
        pointers = st.fixed_dictionaries({"case_id": pointer, "own_up_id": pointer, "action_id": pointer})
        evidence = st.fixed_dictionaries({}, optional={"evidence": junk})
        return st.builds(lambda a, b: json.dumps({**a, **b}), pointers, evidence) | st.text(max_size=20) | huge

    def element(self) -> st.SearchStrategy[dict]:
        """One input's submitted state, in any of the shapes Slack uses, filled with nonsense."""
        option = st.fixed_dictionaries({"value": st.sampled_from(choices) | self.pointers()})
        return loosely(
            type=st.sampled_from(["plain_text_input", "static_select", "users_select", "radio_buttons"]),
            value=bad_text,
            selected_option=option,
            selected_options=st.lists(option, max_size=3),
            selected_user=slackish_ids,
            selected_users=st.lists(slackish_ids, max_size=25),
            selected_conversation=slackish_ids,
            selected_conversations=st.lists(slackish_ids, max_size=3),
            selected_date=st.sampled_from(["2026-11-25", "2026-02-30", "2026-11-25\n", "25/11/2026"]),
            selected_time=st.sampled_from(["09:00", "25:61", "09:00\n"]),
        )

    def view(self, callback: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
        values = st.dictionaries(block_ids, st.dictionaries(action_ids, self.element(), max_size=3) | junk, max_size=4)
        blocks = st.lists(st.fixed_dictionaries({"type": st.sampled_from(["input", "section"]), "block_id": block_ids}))
        return st.fixed_dictionaries(
            {
                "id": st.just("V0HOSTILE1"),
                "type": st.just("modal"),
                "callback_id": callback,
                "state": st.fixed_dictionaries({"values": values}),
                "private_metadata": self.metadata(),
                "blocks": blocks,
            },
            optional={"hash": junk, "notify_on_close": st.booleans()},
        )
