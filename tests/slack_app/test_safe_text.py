"""People's words can't ping, link or reformat: every message and view the app builds, given
hostile text wherever a person's words go, has the same Slack markup (mentions, pings, links,
dates, code fences) as with harmless words, and still shows the words."""

import dataclasses
import importlib
import inspect
import pkgutil
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

import slack_app.views
from db.enums import AccessKind, CaseStatus, Category, OwnUpState, Routing, TimelineKind
from db.queries import CaseFacts, OwnUpFacts, ReporterContact, ReportFacts, TimelineFacts
from slack_app.core.mrkdwn import escape, from_slack, inline
from slack_app.views import cases, own_up, own_up_modals, report_words, reporter, reports
from slack_app.views.code_names import code_names
from slack_app.views.message import Message
from workflows.access_log import AccessRecord
from workflows.disclosure import CaseWords, OwnUpRecord
from workflows.records import CaseRecord, HistoryEntry, ReportRecord, TimelineRecord

MARK = "Wordsofsomeone"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
ATTACKS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0VICTIM>",
    "<#C0SECRET>",
    "<!subteam^S0TEAM|@security>",
    "<https://evil.example/login|your event ticket>",
    "<mailto:a@evil.example|x>",
    "```",
    "&lt;!channel&gt;",
    "&amp;",
    "\n>",
    "\n*Reported by* ",
    "*",
    "_",
    "~",
    "`",
    "|",
]
hostile_text = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=8)), min_size=1, max_size=8).map(
    lambda parts: MARK + "".join(parts)
)


def case(**changes: Any) -> CaseFacts:
    facts = CaseFacts(
        id=7,
        reference="CoC-0007",
        category=Category.HARASSMENT,
        status=CaseStatus.INVESTIGATING,
        urgent=True,
        anonymous=False,
        reporter_id="U0REPORTER",
        involved=("U0PERSON",),
        follow_up_allowed=True,
        apology_wanted=True,
        created_at=NOW,
        routing=Routing.ORGANIZERS,
        channel_id="C0ORGS",
        card_ts="1.000100",
        assignee_id="U0LEAD",
        acknowledged_by="U0LEAD",
        own_ups=((3, "U0PERSON", OwnUpState.REQUESTED, NOW),),
    )
    return dataclasses.replace(facts, **changes)


def report(text: str) -> ReportFacts:
    return ReportFacts(
        description=text,
        location_channel_id="C0TALKS",
        location_text=text,
        occurred_on="2026-12-03",
        occurred_at_time="14:30",
        others_involved=text,
        evidence_channel_id="C0TALKS",
        evidence_ts="2.000200",
        evidence_author_id="U0PERSON",
        evidence_excerpt=text,
    )


def entry(text: str, kind: TimelineKind = TimelineKind.NOTE) -> TimelineFacts:
    return TimelineFacts(reference="CoC-0007", kind=kind, actor_id="U0LEAD", at=NOW, summary="Added a note", body=text)


def own_up_facts(text: str) -> OwnUpFacts:
    return OwnUpFacts(
        id=3,
        case_id=7,
        reference="CoC-0007",
        subject_id="U0PERSON",
        recipient_id="U0REPORTER",
        state=OwnUpState.UNDER_REVIEW,
        description=text,
        coc_part=text,
        deadline_at=NOW,
        acknowledgement=text,
        apology=text,
        change=text,
        review_note=text,
        self_report=False,
    )


CONTACT = ReporterContact(
    case_id=7,
    reference="CoC-0007",
    user_id="U0REPORTER",
    anonymous=False,
    follow_up_allowed=True,
    urgent=True,
    dm_channel="D0REPORTER",
    dm_ts="3.000300",
)


def words(text: str) -> CaseWords:
    fields = {field.name: text for field in dataclasses.fields(ReportRecord)}
    report_record = ReportRecord(**{**fields, "location_channel_id": "C0TALKS", "evidence_channel_id": "C0TALKS"})
    timeline = tuple(
        TimelineRecord(at=NOW, kind=kind, actor=actor, summary="Added a note", body=text)
        for kind, actor in ((TimelineKind.NOTE, "U0LEAD"), (TimelineKind.REPORTER_MESSAGE, "the reporter"))
    )
    record = CaseRecord(
        reference="CoC-0007",
        category=Category.HARASSMENT,
        status=CaseStatus.INVESTIGATING,
        urgent=False,
        created_at=NOW,
        routing=Routing.ORGANIZERS,
        channel_id="C0ORGS",
        anonymous=False,
        reporter="U0REPORTER",
        involved=("U0PERSON",),
        follow_up_allowed=True,
        apology_wanted=True,
        report=dataclasses.replace(report_record, evidence_author_id="U0PERSON", evidence_ts="2.000200"),
        assignee_id=None,
        acknowledged_by=None,
        acknowledged_at=None,
        outcome=None,
        closing_summary=text,
        closed_at=None,
        actions=(),
        timeline=timeline,
        access_log=(AccessRecord(at=NOW, who="U0LEAD", what=AccessKind.REPORT_OPENED),),
    )
    own_up_texts = {field.name: text for field in dataclasses.fields(OwnUpRecord)}
    own_up_record = OwnUpRecord(**{**own_up_texts, "subject_id": "U0PERSON", "state": OwnUpState.UNDER_REVIEW})
    return CaseWords(record=record, own_ups=(own_up_record,))


PEOPLE = code_names(case())
HISTORY = [
    HistoryEntry(
        case_id=2,
        reference="CoC-0002",
        created_at=NOW,
        category=Category.OTHER,
        status=CaseStatus.CLOSED,
        outcome=None,
        routing=Routing.ORGANIZERS,
        channel_id="C0ORGS",
        card_ts="0.000100",
        names=("U0PERSON",),
    )
]

# Every builder of a message or view that shows someone's words, given those words.
WITH_WORDS = {
    "report_words.report_words_modal": lambda t: report_words.report_words_modal(
        words(t), PEOPLE, "https://stand-in.slack.test/p1"
    ),
    "cases.case_details": lambda t: cases.case_details(case(), report(t), "https://stand-in.slack.test/p1"),
    "cases.reporter_message": lambda t: cases.reporter_message(case(), t),
    "cases.thread_line": lambda t: cases.thread_line(entry(t)),
    "cases.thread_line (closing summary)": lambda t: cases.thread_line(entry(t, TimelineKind.CLOSED)),
    "cases.thread_line (action reason)": lambda t: cases.thread_line(entry(t, TimelineKind.ACTION_RECORDED)),
    "own_up.review_message": lambda t: own_up.review_message(own_up_facts(t)),
    "own_up.request_dm": lambda t: own_up.request_dm(own_up_facts(t)),
    "own_up.changes_dm": lambda t: own_up.changes_dm(own_up_facts(t)),
    "own_up.apology_dm": lambda t: own_up.apology_dm(own_up_facts(t)),
    "own_up.apology_dm (answered)": lambda t: own_up.apology_dm(own_up_facts(t), answered="You accepted it."),
    "own_up_modals.apology_modal": lambda t: own_up_modals.apology_modal(own_up_facts(t)),
    "reporter.organizer_message": lambda t: reporter.organizer_message(CONTACT, t),
    "reporter.asked_to_stop": lambda t: reporter.asked_to_stop(t, "Please read our Code of Conduct."),
    "reports.report_modal": lambda t: reports.report_modal(
        reports.ModalContext(
            description=t,
            evidence_channel_id="C0TALKS",
            evidence_ts="2.000200",
            evidence_author_id="U0PERSON",
            evidence_excerpt=t,
        )
    ),
}
# Builders that show no one's words (only the app's, ids and facts): listed so that a new
# builder has to be placed in one list or the other.
WITHOUT_WORDS = {
    "case_modals.assign_modal",
    "case_modals.note_modal",
    "case_modals.message_reporter_modal",
    "case_modals.record_action_modal",
    "case_modals.confirm_action_modal",
    "case_modals.close_modal",
    "case_modals.reopen_modal",
    "cases.case_card",
    "cases.pattern_note",
    "home.organizer_home",
    "home.participant_home",
    "own_up.nudge_dm",
    "own_up.delivered_notice",
    "own_up.accepted_notice",
    "own_up.withdrawn_notice",
    "own_up.offer_dm",
    "own_up.self_report_receipt",
    "own_up.answered",
    "own_up_modals.request_modal",
    "own_up_modals.note_modal",
    "own_up_modals.talk_modal",
    "own_up_modals.account_modal",
    "own_up_modals.self_report_modal",
    "reminders.ack_reminder",
    "reminders.ack_escalation",
    "reminders.stale_nudge",
    "reminders.reporter_update",
    "reporter.receipt",
    "reporter.message_added",
    "reporter.no_open_report",
    "reporter.acknowledged",
    "reporter.closed",
    "reports.report_sent",
    "waiting.loading_modal",
    "waiting.notice_modal",
    "step_back.step_in_modal",
    "step_back.step_in_request",
}

TOKEN = re.compile(r"<[^<>]*>")


def rendered(built: Message | View) -> dict[str, Any]:
    return built.as_kwargs() if isinstance(built, Message) else built.to_dict()


def mrkdwn_texts(value: Any, *, top: bool = True) -> list[str]:
    """Every string Slack reads as mrkdwn: a message's ``text`` and each mrkdwn text object."""
    found: list[str] = []
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" or (top and isinstance(value.get("text"), str)):
            found.append(value["text"])
        for key, item in value.items():
            if not (key == "text" and isinstance(item, str)):
                found += mrkdwn_texts(item, top=False)
    elif isinstance(value, list):
        for item in value:
            found += mrkdwn_texts(item, top=False)
    return found


def markup(texts: list[str]) -> Counter[str]:
    tokens = Counter(token for text in texts for token in TOKEN.findall(text))
    tokens["```"] = sum(text.count("```") for text in texts)
    return tokens


def builders_in_views() -> set[str]:
    names = set()
    for module_info in pkgutil.iter_modules(slack_app.views.__path__):
        module = importlib.import_module(f"slack_app.views.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            returns = inspect.signature(function).return_annotation
            if returns in (Message, View, "Message", "View"):
                names.add(f"{module_info.name}.{name}")
    return names


def test_every_message_and_view_builder_is_checked():
    checked = {name.split(" ")[0] for name in WITH_WORDS} | WITHOUT_WORDS
    assert builders_in_views() == checked


@settings(max_examples=60, deadline=None)
@given(text=hostile_text)
def test_no_mention_ping_link_or_code_fence_comes_out_of_someones_words(text):
    for name, build in WITH_WORDS.items():
        hostile, harmless = rendered(build(text)), rendered(build(MARK))
        texts = mrkdwn_texts(hostile)
        assert markup(texts) == markup(mrkdwn_texts(harmless)), name
        assert any(MARK in each for each in texts) or MARK in str(hostile), f"{name} no longer shows the words"


def test_the_words_still_read_as_written():
    words = "Tom & Jerry <3, see <https://evil.example|this> ```x```"
    details = rendered(cases.case_details(case(), report(words), None))
    text = "\n".join(mrkdwn_texts(details))
    assert ">Tom &amp; Jerry &lt;3, see &lt;https://evil.example|this&gt; `\u200b``x`\u200b``" in text


def test_a_one_line_field_cannot_start_a_line_of_its_own():
    details = rendered(cases.case_details(case(), report("the hallway\n*Reported by* <@U0ORG>"), None))
    where = next(text for text in mrkdwn_texts(details) if text.startswith("*Where*"))
    assert where == "*Where*: <#C0TALKS>, the hallway *Reported by* &lt;@U0ORG&gt;"


def test_text_from_slack_comes_in_as_the_words_people_saw():
    slack_text = "<!channel> look: <@U0PERSON> said &lt;3 in <#C0TALKS|talks>, see <https://x.example|this>"
    assert from_slack(slack_text) == "@channel look: @U0PERSON said <3 in #talks, see this (https://x.example)"
    assert escape(from_slack(slack_text)).count("<") == 0
    assert inline("a\r\nb") == "a b"


def test_with_words_on_demand_the_channel_gets_no_ones_words_and_no_names():
    in_channel = [
        cases.case_card(case(), PEOPLE),
        cases.thread_line(entry(MARK), PEOPLE),
        cases.reporter_message(case(), MARK, on_demand=True),
        cases.pattern_note(HISTORY, PEOPLE),
        own_up.review_message(own_up_facts(MARK), PEOPLE),
    ]
    for message in in_channel:
        shown = str(rendered(message))
        assert MARK not in shown
        assert "U0PERSON" not in shown and "U0REPORTER" not in shown
    assert "Person A" in str(rendered(in_channel[0]))
