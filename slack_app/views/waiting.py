"""The small modals shown while the app asks Slack something before the real one, and when
that fails: they hold the three-second trigger_id's place and never show case content."""

from slack_sdk.models.views import View

from slack_app.views.message import section

SLACK_BUSY = "Slack didn't answer in time, so this couldn't open. Please try again in a moment."
NOT_DONE = "Slack didn't answer in time, so nothing was changed. Please try again in a moment."


def loading_modal() -> View:
    return View(type="modal", title="Speak Out", close="Close", blocks=[section("Loading…")])


def notice_modal(text: str) -> View:
    """What went wrong, in the modal the person is looking at."""
    return View(type="modal", title="Speak Out", close="Close", blocks=[section(text)])
