"""The renderers of ``speakout case show|export`` and ``speakout person history``: a record as
a person reads it (Markdown), as a machine does (JSON), and a person's cases one line each."""

import json

import pytest

from db.models import Case
from slack_app.cli.render import render_history, render_json, render_markdown
from tests.workflows.record_cases import make_anonymous_case, make_handled_case, name_pat_in_three_cases
from workflows.records import case_record, person_history


@pytest.fixture
def handled_case(session) -> Case:
    return make_handled_case(session)


def test_the_markdown_reads_as_a_record(session, handled_case):
    markdown = render_markdown(case_record(session, "CoC-0001"))
    lines = markdown.splitlines()

    assert lines[0] == "# CoC-0001"
    for line in [
        "- **Category:** Sustained disruption of a talk or session",
        "- **Status:** Closed",
        "- **Outcome:** Action taken",
        "- **Urgent:** yes",
        "- **Reported:** 2026-11-25 09:00 UTC",
        "- **Reported by:** @U0NAMED",
        "- **Involved:** @U0HARASS, @U0FRIEND",
        "- **Lives in:** Organizers' channel #C0ORGANIZE",
        "- **Apology:** the reporter would like an apology",
        "- **Lead:** @U0ORG2",
        "- **Acknowledged:** @U0ORG1, 2026-11-25 09:07 UTC",
        "- **Closed:** 2026-11-26 09:00 UTC",
        "- **Where:** #C0TALKS, Room 2",
        "- **When:** 2026-11-24 14:30 (the reporter's local time)",
        "- **Others involved, not in Slack:** A venue volunteer",
        "- **Evidence:** a message by @U0HARASS in #C0TALKS:",
        "  > sit down",
        "1. **Asked to stop (a message from the organizers)** for @U0HARASS, 2026-11-25 10:00 UTC",
        "   - Decided by: @U0ORG2",
        "     > Interrupting a speaker breaks the Code of Conduct.",
        "     > Please let speakers finish.",
        "   - Result: Recorded",
        "- 2026-11-25 09:00 UTC · Report received · @U0NAMED: Report received (urgent)",
        "- 2026-11-25 09:00 UTC · Routed · Speak Out: Sent to the organizers' channel",
        "- 2026-11-25 09:08 UTC · Assigned · @U0ORG1: Assigned the case to @U0ORG2",
        "- 2026-11-25 09:30 UTC · Message from the reporter · @U0NAMED: The reporter added information",
        "  > It happened twice.",
    ]:
        assert line in lines, line
    # "What happened" is the reporter's own words, quoted line by line.
    what_happened = markdown.split("## What happened\n\n")[1]
    assert what_happened.startswith(
        "> He kept interrupting my talk.\n>\n> Then he followed me to the #C0SOCIAL meetup.\n"
    )
    assert "## Closing summary\n\n> He apologised and stopped.\n" in markdown
    assert markdown.index("## What happened") < markdown.index("## Actions") < markdown.index("## Timeline")


def test_the_json_keeps_values_utc_times_and_a_stable_order(session, handled_case):
    text = render_json(case_record(session, "CoC-0001"))
    data = json.loads(text)

    assert list(data)[:10] == [
        "reference",
        "category",
        "status",
        "urgent",
        "created_at",
        "routing",
        "channel_id",
        "anonymous",
        "reporter",
        "involved",
    ]
    assert (data["category"], data["status"], data["outcome"], data["routing"]) == (
        "disruption",
        "closed",
        "action_taken",
        "organizers",
    )
    assert (data["created_at"], data["closed_at"]) == ("2026-11-25T09:00:00Z", "2026-11-26T09:00:00Z")
    assert data["reporter"] == "U0NAMED"
    assert data["report"]["evidence_excerpt"] == "sit down"
    assert data["actions"] == [
        {
            "kind": "asked_to_stop",
            "subject_id": "U0HARASS",
            "decided_by": "U0ORG2",
            "reason": "Interrupting a speaker breaks the Code of Conduct.",
            "message": "Please let speakers finish.",
            "channel_ids": [],
            "result": "recorded",
            "result_detail": None,
            "at": "2026-11-25T10:00:00Z",
        }
    ]
    assert data["timeline"][1] == {
        "at": "2026-11-25T09:00:00Z",
        "kind": "routed",
        "actor": "Speak Out",
        "summary": "Sent to the organizers' channel",
        "body": None,
    }
    assert render_json(case_record(session, "CoC-0001")) == text


def test_an_anonymous_reporter_is_named_in_neither_rendering(session):
    record = case_record(session, make_anonymous_case(session).reference)

    markdown, exported = render_markdown(record), render_json(record)

    assert "U0SECRET9" not in markdown
    assert "U0SECRET9" not in exported
    assert "- **Reported by:** anonymous (the reporter chose not to be named)" in markdown.splitlines()


def test_a_persons_history_reads_one_line_a_case_and_never_says_who_reported(session):
    name_pat_in_three_cases(session)

    text = render_history("U0PAT", person_history(session, "U0PAT"))

    assert text.splitlines() == [
        "U0PAT is named in 3 cases:",
        "CoC-0001  2026-11-25  Harassment or intimidation; status: Closed; outcome: Action taken",
        "CoC-0003  2026-11-27  Harassment or intimidation; status: New; escalated",
        "CoC-0004  2026-11-28  Harassment or intimidation; status: New; held",
    ]
    for reporter in ("U0ALEX", "U0ROBIN"):
        assert reporter not in text
    assert render_history("U0ALEX", []) == "No cases name U0ALEX.\n"
