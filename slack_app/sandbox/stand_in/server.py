"""HTTP plumbing of the stand-in: a threaded local server, request decoding
and the answers it writes back."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from .models import JsonDict

logger = logging.getLogger(__name__)

JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "user_auth_blocks")
"""Fields Slack accepts as JSON-encoded strings in form bodies."""


@dataclass
class Answer:
    """An HTTP answer to write back."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, body: JsonDict, headers: Mapping[str, str] | None = None) -> Answer:
        content_type = {"Content-Type": "application/json; charset=utf-8"}
        return cls(status, json.dumps(body).encode(), {**content_type, **(headers or {})})

    @classmethod
    def text(cls, status: int, body: str, headers: Mapping[str, str] | None = None) -> Answer:
        content_type = {"Content-Type": "text/plain; charset=utf-8"}
        return cls(status, body.encode(), {**content_type, **(headers or {})})


Responder = Callable[[str, Mapping[str, str], bytes], Answer | None]
"""Answers ``(path with query, lower-cased headers, body)``; None closes the
connection without an answer."""


def parse_params(content_type: str, body: bytes, query: str = "") -> tuple[JsonDict, str | None]:
    """Decode a Web API request the way Slack does: query string, then a form or
    JSON body; JSON-encoded ``blocks``/``view``/... strings become objects.

    Returns the parameters and, for an unreadable body, Slack's error code.
    """
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    if kind == "application/json":
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError:
            return params, "invalid_json"
        if not isinstance(data, dict):
            return params, "invalid_json"
        params.update(data)
    elif kind in ("application/x-www-form-urlencoded", "") or not text:
        params.update(parse_qsl(text, keep_blank_values=True))
    else:
        return params, "invalid_post_type"
    for name in JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # An undecodable value stays a string; the method answers with its format error.
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params, None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[len("bearer ") :].strip() or None
    return None


class LocalServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) that hands every
    GET/POST to ``respond``."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, respond: Responder) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.respond = respond


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.respond(self.path, headers, body)
        if answer is None:  # an injected drop: close without a word
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the answer to %s", self.path)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("stand-in: " + format, *args)
