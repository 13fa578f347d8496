"""A local stand-in for Slack's servers, for the test suite and ``speakout demo``.

* ``SlackStandIn`` answers the Slack Web API on 127.0.0.1 from an in-memory
  workspace, records every call and can inject failures.
* ``SlackStandIn.socket_mode`` is Slack's Socket Mode side: the WebSocket an
  app opens with the URL from ``apps.connections.open`` (``socket_mode``).
* ``SlackRequests`` sends the app correctly signed, Slack-shaped slash
  commands, shortcuts, block actions, view submissions and events, or the
  same as Socket Mode envelopes.

Example::

    with SlackStandIn() as slack:
        slack.add_user("U1", "ada")
        client = WebClient(token=slack.bot_token, base_url=slack.url)
        client.chat_postMessage(channel="U1", text="hi")
        assert slack.dms_to("U1")[0].text == "hi"

The package needs only the standard library and ``websockets`` (a dependency of
the product's own Socket Mode), so it ships with the product.

Layout: Slack's side is ``web_api`` (the server, assembled from ``failures``,
``workspace_access`` and ``view_access``) answering ``methods/`` (one module per
method family) from the stores ``workspace``, ``message_log``, ``view_store`` and
``triggers``. The app's side is ``requests`` (``SlackRequests``), which builds
bodies in ``payloads/`` and sends them through ``transport``. ``models``,
``params``, ``blocks``, ``state``, ``content`` and ``slack_objects`` are shared.
"""

from .models import ApiError, Call, Message
from .requests import Response, SlackRequests, slack_signature
from .state import build_state_values, element_state
from .web_api import SlackStandIn

__all__ = [
    "ApiError",
    "Call",
    "Message",
    "Response",
    "SlackRequests",
    "SlackStandIn",
    "build_state_values",
    "element_state",
    "slack_signature",
]
