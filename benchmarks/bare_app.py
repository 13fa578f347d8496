"""The baseline for ack_latency: a bare Bolt app with the same two interactions as Speak Out's
intake (a command that acks and opens a static modal, a view submission that just acks), on the
same server (waitress via ``slack_app.bolt.web.create_server``, 16 threads) and the same listener
pool size as ``speakout serve`` (32 threads), so the difference is Speak Out's own work.

``python -m benchmarks.bare_app --port P`` runs it as a process of its own (SLACK_API_URL,
SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET from the environment)."""

import argparse
import contextlib
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from slack_app.bolt.web import create_server

CALLBACK = "bare_modal"
MODAL = {
    "type": "modal",
    "callback_id": CALLBACK,
    "title": {"type": "plain_text", "text": "Report a concern"},
    "submit": {"type": "plain_text", "text": "Send report"},
    "blocks": [
        {
            "type": "input",
            "block_id": "description",
            "label": {"type": "plain_text", "text": "What happened?"},
            "element": {"type": "plain_text_input", "action_id": "description_input", "multiline": True},
        }
    ],
}


def build(api_url: str, token: str, signing_secret: str) -> App:
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url, timeout=10),
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=32, thread_name_prefix="listener"),
        logger=logging.getLogger("slack_bolt"),
    )

    @app.command("/report")
    def open_modal(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view(CALLBACK)
    def submitted(ack):
        ack()

    return app


class InProcess:
    """The bare app served from a thread of the benchmark process."""

    def __init__(self, api_url: str, token: str, signing_secret: str):
        self.server = create_server(SlackRequestHandler(build(api_url, token, signing_secret)), "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.effective_port}/slack/events"
        self._thread = threading.Thread(target=self._run, name="bare-bolt-http", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # close() from another thread pulls the socket out from under select(): that is the stop.
        with contextlib.suppress(OSError):
            self.server.run()

    def stop(self) -> None:
        self.server.close()
        self._thread.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = build(os.environ["SLACK_API_URL"], os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_SIGNING_SECRET"])
    server = create_server(SlackRequestHandler(app), "127.0.0.1", args.port)
    print(f"bare Bolt app listening on {server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    main()
