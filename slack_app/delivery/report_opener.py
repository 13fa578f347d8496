"""Opening received reports as cases, after Slack has had its answer (see workflows.intake).

The outbox runs this in batches between the rounds of each delivery pass, so the cases of a
burst of reports are opened once the burst has been answered, and the first cards go out while
the rest are being opened. A
report that could not be opened (the database went away, say) stays received and is tried
again at the next pass, in this process or any other.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import ReceivedReport
from workflows.intake import note_failed_attempt, open_received_report, waiting_reports
from workflows.outbox import OutboxNotifier

logger = logging.getLogger(__name__)


class ReportOpener:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self.sessions = sessions
        self.clock = clock

    def run(self, limit: int = 500) -> int:
        """Open up to ``limit`` received reports waiting, oldest first; returns how many became cases."""
        with self.sessions.begin() as session:
            waiting = waiting_reports(session, limit)
        opened = 0
        for report in waiting:
            try:
                with self.sessions.begin() as session:
                    case = open_received_report(session, OutboxNotifier(session, self.clock()), report.id)
                opened += case is not None
            except Exception as error:
                # The type only: an error's message could quote what the reporter wrote.
                reason = type(error).__name__
                logger.error(
                    "received report %s could not be opened as a case (%s); it will be tried again", report.id, reason
                )
                self._note_failure(report.id, reason)
        return opened

    def waiting(self) -> bool:
        with self.sessions.begin() as session:
            return bool(session.scalar(select(exists().where(ReceivedReport.id.is_not(None)))))

    def _note_failure(self, received_id: int, reason: str) -> None:
        try:
            with self.sessions.begin() as session:
                note_failed_attempt(session, received_id, reason)
        except Exception:
            logger.error("could not record the failed attempt on received report %s", received_id)
