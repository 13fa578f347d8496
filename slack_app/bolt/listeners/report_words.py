""" "Open report" on a case card: an organizer of the case reads its words in a modal.

Checked live at each opening, like any change to a case: the clicker must be in the case's
channel now (Slack is asked afresh) and not named in it. The opening is written to the access
log in the same transaction that reads the words.
"""

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from slack_app.bolt.bind import bind
from slack_app.bolt.case_desk import CaseDesk, case_id_from, open_after_lookup
from slack_app.core.directory import link_to_evidence
from slack_app.core.ids import CaseAction
from slack_app.core.services import Services
from slack_app.views.code_names import code_names_of
from slack_app.views.report_words import report_words_modal
from workflows.disclosure import CaseWords, open_report


def register(app: App, services: Services) -> None:
    app.action(CaseAction.OPEN_REPORT)(bind(open_report_words, desk=CaseDesk(services)))


def open_report_words(ack: Ack, body: dict, action: dict, client: WebClient, *, desk: CaseDesk) -> None:
    ack()

    def build() -> View:
        words: CaseWords = desk.change(client, case_id_from(action.get("value")), body["user"]["id"], open_report)
        record = words.record
        people = code_names_of(record.involved, [own_up.subject_id for own_up in words.own_ups], record.reporter)
        report = record.report
        link = link_to_evidence(client, report.evidence_channel_id, report.evidence_ts)
        return report_words_modal(words, people, link)

    open_after_lookup(client, body, build)
