"""``SlackStandIn``: a local HTTP server that answers like Slack's Web API.

It serves ``POST /api/<method>`` on 127.0.0.1 (pass ``stand_in.url`` as
``WebClient(base_url=...)`` or the app's ``SLACK_API_URL``), keeps an in-memory
workspace (users, channels, messages, modals, Home tabs), records every call,
and can be told to fail, slow down, drop connections or go down entirely. Slack's rate
limits apply unless ``rate_limits=False`` (``rate_limits``): a refused call is answered 429
and recorded with ``error="ratelimited"``.
Interaction ``response_url``s issued by ``SlackRequests`` point at
``/hooks/response/<id>`` on the same server.

This module holds the server's lifecycle, the call record and the path from an
HTTP request to an answer; the public accessors come from the mixins
(``FailureControls``, ``WorkspaceAccess``, ``ViewAccess``).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Self, TypeVar
from urllib.parse import urlsplit

from .failures import Failure, FailureControls, FailurePlan
from .methods import APP_TOKEN_METHODS, Method, web_api_methods
from .methods.response_url import hook_body, render_answer, respond
from .models import ApiError, Call, JsonDict
from .rate_limits import RateLimits
from .server import Answer, LocalServer, bearer_token, parse_params
from .socket_mode import SocketModeServer
from .view_access import ViewAccess
from .view_store import ViewStore
from .workspace import Workspace
from .workspace_access import WorkspaceAccess

logger = logging.getLogger(__name__)

T = TypeVar("T")

RESPONSE_URL_METHOD = "response_url"
"""The ``Call.method`` (and ``fail()`` name) of requests to a ``response_url``."""

Result = JsonDict | ApiError


class SlackStandIn(FailureControls, WorkspaceAccess, ViewAccess):
    """A local stand-in for Slack's servers (Web API, modals, response_urls).

    Use as a context manager, or ``start()`` / ``stop()``. All accessors return
    copies and are safe to call from any thread while the app is running.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        team_id: str = "T0SPEAKOUT",
        bot_user_id: str = "USPEAKOUTBOT",
        bot_token: str = "xoxb-stand-in",
        app_token: str = "xapp-1-A0SPEAKOUT-1-stand-in",
        bot_id: str = "B0SPEAKOUT",
        app_id: str = "A0SPEAKOUT",
        rate_limits: bool = True,
    ) -> None:
        self.latency = latency
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_id = bot_id
        self.app_id = app_id
        # One re-entrant lock guards all state; waiting on it lets wait_for() see every change.
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._workspace = Workspace(team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, app_id=app_id)
        self._views = ViewStore(
            team_id=team_id, app_id=app_id, bot_id=bot_id, user_exists=lambda u: u in self._workspace.users
        )
        self._calls: list[Call] = []
        self._failures = FailurePlan()
        self.rate_limits = RateLimits(enabled=rate_limits)
        self._down = False
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None
        # Socket Mode's WebSocket server starts with the first apps.connections.open.
        self.socket_mode = SocketModeServer(app_id=app_id, notify=self._notify)
        self._methods: dict[str, Method] = web_api_methods(self._workspace, self._views, self.socket_mode)

    # -------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = LocalServer(self._answer)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-stand-in", kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; requests still sleeping give up."""
        if self._server is None:
            return
        self._stopping.set()
        self.socket_mode.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no path)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL, ``http://127.0.0.1:PORT/api/``."""
        return f"{self.base_url}/api/"

    # -------------------------------------------------------------- recording

    @property
    def calls(self) -> list[Call]:
        """Every request received so far, in the order they were answered
        (``Call.at`` is when each arrived)."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def reset_calls(self) -> None:
        with self._cond:
            self._calls.clear()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "") -> T:
        """Block until ``predicate()`` is truthy and return its value.

        The predicate is re-evaluated whenever the stand-in records a call or its
        state changes; raises ``TimeoutError`` after ``timeout`` seconds. It runs
        with the stand-in's lock held, so it should only read stand-in state
        (calling the Web API from it would deadlock).
        """
        with self._cond:
            result = self._cond.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or 'the condition'}")
        return result

    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    # --------------------------------------------------------------- serving

    def _answer(self, path: str, headers: Mapping[str, str], body: bytes) -> Answer | None:
        """Answer one HTTP request (called on a server thread, ``headers`` with
        lower-case names); None means close the connection without answering."""
        arrived = time.monotonic()
        target = urlsplit(path)
        if target.path.startswith("/api/"):
            params, problem = parse_params(headers.get("content-type", ""), body, target.query)
            token = bearer_token(headers.get("authorization"))
            if token is None and isinstance(params.get("token"), str):
                token = params["token"]
            method = target.path[len("/api/") :]
            return self._serve(method, params, token, arrived, problem=problem)
        if target.path.startswith("/hooks/response/"):
            hook_id = target.path.rsplit("/", 1)[-1]
            hook_params, problem = hook_body(body)
            return self._serve(RESPONSE_URL_METHOD, hook_params, None, arrived, problem=problem, hook_id=hook_id)
        return Answer.json(404, {"ok": False, "error": "unknown_method"})

    def _serve(
        self,
        method: str,
        params: JsonDict,
        token: str | None,
        arrived: float,
        *,
        problem: str | None = None,
        hook_id: str | None = None,
    ) -> Answer | None:
        """Apply any injected failure, run the method and record the call."""
        recorded = copy.deepcopy(params)  # the stores keep parts of params; the record must not change with them
        with self._cond:
            down = self._down
            rule = None if down else self._failures.take(method, params.get("channel"))
            # Slack counts a call when it arrives; an injected failure answers instead.
            limited = None if down or rule is not None else self.rate_limits.retry_after(method, params)
        pause = self.latency + (rule.delay if rule is not None else 0.0)
        if pause > 0:
            # Sleep outside the lock so other requests go on; stop() cuts the sleep short.
            self._stopping.wait(pause)
        with self._cond:
            if rule is not None and rule.drop:
                self._record(Call(method, recorded, token, arrived, failed=True, error="dropped"))
                return None
            if limited is not None:
                result, extra_headers = ApiError("ratelimited", status=429), {"Retry-After": str(limited)}
            else:
                result, extra_headers = self._result(method, params, token, down, rule, problem, hook_id)
            error = result.error if isinstance(result, ApiError) else None
            self._record(Call(method, recorded, token, arrived, failed=error is not None, error=error))
        if rule is not None and rule.answer_delay > 0:
            self._stopping.wait(rule.answer_delay)  # done, but the app hears of it only now
        return render_answer(result, extra_headers, as_hook=hook_id is not None)

    def _result(
        self,
        method: str,
        params: JsonDict,
        token: str | None,
        down: bool,
        rule: Failure | None,
        problem: str | None,
        hook_id: str | None,
    ) -> tuple[Result, dict[str, str]]:
        """The answer to give, with any extra headers (lock held)."""
        if down:
            return ApiError("service_unavailable", status=503), {}
        if rule is not None and rule.error is not None:
            return ApiError(rule.error, status=rule.status), rule.answer_headers()
        return self._dispatch(method, params, token, problem=problem, hook_id=hook_id), {}

    def _dispatch(
        self, method: str, params: JsonDict, token: str | None, *, problem: str | None, hook_id: str | None
    ) -> Result:
        """Run one method against the workspace (lock held)."""
        try:
            if hook_id is not None:
                if problem is not None:
                    raise ApiError(problem, status=400)
                respond(self._workspace, hook_id, params)
                return {"ok": True}
            return self._call_method(method, params, token, problem)
        except ApiError as error:
            # A response_url answers failures with an HTTP error status, never 200.
            if hook_id is not None and error.status == 200:
                error.status = 400
            return error
        except Exception:  # a stand-in bug must not look like a dropped connection
            logger.exception("stand-in failed to handle %s", method)
            return ApiError("internal_error", status=500)

    def _call_method(self, method: str, params: JsonDict, token: str | None, problem: str | None) -> JsonDict:
        """Check the request the way Slack does (method, body, token), then run it."""
        handler = self._methods.get(method)
        if handler is None:
            # Slack answers a method it does not know with HTTP 200, like any other error.
            raise ApiError("unknown_method")
        if problem is not None:
            raise ApiError(problem)
        if token is None:
            raise ApiError("not_authed")
        expected, other = (
            (self.app_token, self.bot_token) if method in APP_TOKEN_METHODS else (self.bot_token, self.app_token)
        )
        if token == other:
            raise ApiError("not_allowed_token_type")
        if token != expected:
            raise ApiError("invalid_auth")
        return handler(params)
