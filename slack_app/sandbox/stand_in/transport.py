"""Getting a request to the app the way Slack does: signed with the app's
signing secret and POSTed over HTTP, with the app's answer read back."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.error import HTTPError

SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Response:
    """The app's HTTP answer. ``headers`` has lower-case names; ``elapsed`` is in seconds.

    ``slack_error`` is set (by ``submit_view``) when Slack would not accept the
    answer and would show the user an error in the modal instead.
    """

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    slack_error: str | None = None

    def json(self) -> Any:
        """The decoded JSON body, or None if the body is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def response_action(self) -> str | None:
        data = self.json()
        return data.get("response_action") if isinstance(data, dict) else None

    @property
    def errors(self) -> dict[str, str] | None:
        """The ``errors`` of a ``response_action: errors`` answer, else None."""
        data = self.json()
        if isinstance(data, dict) and data.get("response_action") == "errors":
            return data.get("errors")
        return None


def slack_signature(secret: str, timestamp: str, body: str | bytes) -> str:
    """Slack's ``X-Slack-Signature`` for ``body`` sent at ``timestamp``."""
    raw = body.encode() if isinstance(body, str) else body
    base = f"v0:{timestamp}:".encode() + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def request_headers(
    body: str | bytes,
    *,
    content_type: str,
    secret: str | None,
    timestamp: str | int | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers Slack sends; without a ``secret`` the request goes unsigned."""
    headers = {"Content-Type": content_type, "User-Agent": SLACK_USER_AGENT}
    if secret is not None:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers["X-Slack-Request-Timestamp"] = stamp
        headers["X-Slack-Signature"] = slack_signature(secret, stamp, body)
    headers.update(extra or {})
    return headers


def direct_opener() -> urllib.request.OpenerDirector:
    """An opener that never routes requests to the local app through an environment proxy."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send(
    opener: urllib.request.OpenerDirector, url: str, body: str | bytes, headers: dict[str, str], timeout: float
) -> Response:
    """POST ``body``; HTTP errors come back as Responses, only a failure to connect
    raises (``urllib.error.URLError``)."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as answer:
            status, raw, answer_headers = answer.status, answer.read(), answer.headers
    except HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    return Response(
        status=status,
        body=raw.decode("utf-8", errors="replace"),
        headers={name.lower(): value for name, value in answer_headers.items()},
        elapsed=time.monotonic() - started,
    )
