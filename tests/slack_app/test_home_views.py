from datetime import UTC, datetime, timedelta

import pytest

from db.enums import CaseStatus, Category
from db.home_queries import OpenCase, OpenCases, OwnReport, OwnReports
from slack_app.bolt.listeners.home import COC_DEFAULT
from slack_app.sandbox.stand_in.blocks import view_problems
from slack_app.sandbox.transcript import block_lines
from slack_app.views.home import age, coc_sections, organizer_home, participant_home

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WORKSPACE = "https://acme-events.slack.com/"


def case(
    number: int = 1,
    *,
    status: CaseStatus = CaseStatus.NEW,
    urgent: bool = False,
    age: timedelta = timedelta(hours=3),
    assignee: str | None = None,
    card_ts: str | None = "1764061200.000100",
) -> OpenCase:
    return OpenCase(
        reference=f"CoC-{number:04d}",
        category=Category.STALKING,
        status=status,
        urgent=urgent,
        created_at=NOW - age,
        assignee_id=assignee,
        channel_id="C0ORGANIZE",
        card_ts=card_ts,
    )


def open_cases(*cases: OpenCase, **counts: int) -> OpenCases:
    totals: dict[CaseStatus, int] = {}
    for each in cases:
        totals[each.status] = totals.get(each.status, 0) + 1
    totals.update({CaseStatus(status): total for status, total in counts.items()})
    return OpenCases(cases=cases, counts=totals)


def lines(view) -> list[str]:
    return block_lines(view.to_dict()["blocks"])


def sections(view) -> list[str]:
    return [block["text"]["text"] for block in view.to_dict()["blocks"] if block["type"] == "section"]


NO_REPORTS = OwnReports()
MY_REPORTS = OwnReports(
    reports=(OwnReport(reference="CoC-0007", status=CaseStatus.INVESTIGATING, filed_at=NOW - timedelta(days=1)),),
    total=1,
)


# -- organizers ---------------------------------------------------------------------------


def test_an_organizer_sees_each_case_with_link_category_age_and_assignee():
    acknowledged = case(status=CaseStatus.ACKNOWLEDGED, assignee="U0ORGANIZ2")
    view = organizer_home(open_cases(acknowledged), NO_REPORTS, now=NOW, workspace_url=WORKSPACE)

    data = view.to_dict()
    assert data["type"] == "home"
    assert data["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Open cases", "emoji": True}}
    line = next(text for text in sections(view) if "CoC-0001" in text)
    assert line == (
        "*<https://acme-events.slack.com/archives/C0ORGANIZE/p1764061200000100|CoC-0001>* · "
        "Stalking, following, or unwanted photography or recording\n3h old · <@U0ORGANIZ2>"
    )
    assert view_problems(data, view_type="home") == []


def test_cases_are_grouped_by_status_in_the_order_given_with_each_groups_total():
    view = organizer_home(
        open_cases(
            case(1, urgent=True),
            case(2),
            case(3, status=CaseStatus.ACKNOWLEDGED, assignee="U0ORGANIZ1"),
            case(4, status=CaseStatus.RESOLVED),
            new=7,
        ),
        NO_REPORTS,
        now=NOW,
        workspace_url=WORKSPACE,
    )
    shown = lines(view)
    groups = [line for line in shown if line in ("*New* (7)", "*Acknowledged* (1)", "*Resolved* (1)")]
    assert groups == ["*New* (7)", "*Acknowledged* (1)", "*Resolved* (1)"]
    order = [next(i for i, line in enumerate(shown) if f"CoC-000{n}" in line) for n in (1, 2, 3, 4)]
    assert order == sorted(order)
    assert shown.index("*New* (7)") < order[0] and shown.index("*Acknowledged* (1)") < order[2]
    assert ":rotating_light: *Urgent* · *CoC-0001*" in shown[order[0]]
    assert "Investigating" not in "\n".join(shown)
    assert shown[-1] == "…and 5 more open cases."


@pytest.mark.parametrize(
    ("status", "opened", "threshold", "overdue"),
    [
        (CaseStatus.NEW, timedelta(minutes=31), timedelta(minutes=30), True),
        (CaseStatus.NEW, timedelta(minutes=29), timedelta(minutes=30), False),
        (CaseStatus.ACKNOWLEDGED, timedelta(days=2), timedelta(minutes=30), False),
        (CaseStatus.NEW, timedelta(minutes=20), timedelta(minutes=15), True),
    ],
)
def test_acknowledgement_overdue_shows_on_new_cases_older_than_the_threshold(status, opened, threshold, overdue):
    view = organizer_home(
        open_cases(case(status=status, age=opened)),
        NO_REPORTS,
        now=NOW,
        workspace_url=WORKSPACE,
        ack_overdue_after=threshold,
    )
    line = next(text for text in sections(view) if "CoC-0001" in text)
    assert ("Acknowledgement overdue" in line) is overdue
    assert line.endswith("Unassigned" if not overdue else "Unassigned · :warning: *Acknowledgement overdue*")


def test_without_a_card_or_a_workspace_url_the_reference_is_plain_text():
    no_card = organizer_home(open_cases(case(card_ts=None)), NO_REPORTS, now=NOW, workspace_url=WORKSPACE)
    no_url = organizer_home(open_cases(case()), NO_REPORTS, now=NOW, workspace_url=None)
    for view in (no_card, no_url):
        assert "*CoC-0001* · Stalking" in "\n".join(sections(view))
        assert "http" not in str(view.to_dict())


def test_an_organizer_with_no_open_cases_is_told_so_and_sees_their_own_reports_after_the_cases():
    empty = lines(organizer_home(OpenCases(), NO_REPORTS, now=NOW, workspace_url=WORKSPACE))
    assert "No open cases right now." in empty
    assert not any("Your own reports" in line for line in empty)

    with_own = lines(organizer_home(open_cases(case()), MY_REPORTS, now=NOW, workspace_url=WORKSPACE))
    own = next(i for i, line in enumerate(with_own) if line.startswith("*Your own reports*"))
    assert own > next(i for i, line in enumerate(with_own) if "CoC-0001" in line)
    assert with_own[own] == "*Your own reports*\n*CoC-0007* · Investigating · filed 2026-11-24"
    # Organizers' view stays focused: no how-to or Code of Conduct.
    assert "/report" not in "\n".join(with_own)


def test_a_full_organizer_home_stays_within_slacks_block_limit():
    cases = tuple(case(n, age=timedelta(minutes=n)) for n in range(1, 41))
    own = OwnReports(
        reports=tuple(OwnReport(f"CoC-{n:04d}", CaseStatus.NEW, NOW) for n in range(100, 110)),
        total=25,
    )
    totals = {status: 40 for status in ("acknowledged", "investigating", "action_taken", "resolved")}
    view = organizer_home(open_cases(*cases, new=3000, **totals), own, now=NOW, workspace_url=WORKSPACE)

    assert view_problems(view.to_dict(), view_type="home") == []
    assert "…and 3120 more open cases." in lines(view)
    assert lines(view)[-1] == "…and 15 older reports."


@pytest.mark.parametrize(
    ("elapsed", "shown"),
    [
        (timedelta(seconds=20), "0m"),
        (timedelta(minutes=59), "59m"),
        (timedelta(hours=3, minutes=59), "3h"),
        (timedelta(hours=23), "23h"),
        (timedelta(days=2, hours=5), "2d"),
        (timedelta(minutes=-3), "0m"),
    ],
)
def test_age(elapsed, shown):
    assert age(elapsed) == shown


# -- everyone else ------------------------------------------------------------------------


def test_a_participant_sees_how_to_report_the_code_of_conduct_and_their_reports():
    view = participant_home(MY_REPORTS, ("*Be kind.* No harassment.",))

    shown = lines(view)
    assert shown[0] == "Speak Out"
    how = next(line for line in shown if "/report" in line)
    assert "*Report this message*" in how and "anonymous" in how
    assert "*Be kind.* No harassment." in shown
    assert "*Your own reports*\n*CoC-0007* · Investigating · filed 2026-11-24" in shown
    assert not any("Open cases" in line or "Unassigned" in line for line in shown)
    assert view_problems(view.to_dict(), view_type="home") == []


def test_a_participant_without_reports_is_told_where_they_will_appear():
    shown = lines(participant_home(NO_REPORTS, ("Be kind.",)))
    assert shown[-1] == "Reports you send will show here with their status."
    assert not any("Your own reports" in line for line in shown)


def test_the_default_code_of_conduct_covers_each_point_in_our_words():
    text = "\n\n".join(coc_sections(COC_DEFAULT.read_text()))
    assert text.startswith("*Our Code of Conduct, in short*")
    for point in ("*Be kind and respectful.*", "*Keep it human.*", "*Speak out.*", "*Own up.*"):
        assert point in text
    for subject in ("harassment", "stalking", "recording", "spam", "apologize", "without warning"):
        assert subject in text
    assert "**" not in text


def test_markdown_becomes_mrkdwn():
    markdown = "# Our rules\n\n## Be kind ##\nSay **please** & mean it, <b>always</b>.\n- one\n* two\n\nEnd."
    assert coc_sections(markdown) == (
        "*Our rules*\n\n*Be kind*\nSay *please* &amp; mean it, &lt;b&gt;always&lt;/b&gt;.\n• one\n• two\n\nEnd.",
    )


def test_a_long_code_of_conduct_is_split_into_sections_slack_accepts():
    paragraphs = [f"**Rule {n}.** " + "Be considerate of everyone around you. " * 20 for n in range(1, 31)]
    one_long_line = "word " * 1500
    chunks = coc_sections("\n\n".join([*paragraphs, one_long_line]))

    assert len(chunks) > 1
    assert all(0 < len(chunk) <= 3000 for chunk in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(
        " ".join([*(p.replace("**", "*") for p in paragraphs), one_long_line]).split()
    )
    view = participant_home(NO_REPORTS, chunks)
    assert view_problems(view.to_dict(), view_type="home") == []
