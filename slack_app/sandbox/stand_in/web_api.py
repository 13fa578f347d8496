"""``SlackStandIn``: a local HTTP server that answers like Slack's Web API.

It serves ``POST /api/<method>`` on 127.0.0.1 (pass ``stand_in.url`` as
``WebClient(base_url=...)`` or the app's ``SLACK_API_URL``), keeps an in-memory
workspace (users, channels, messages, modals, Home tabs), records every call,
and can be told to fail, slow down, drop connections or go down entirely.
Interaction ``response_url``s issued by ``SlackRequests`` point at
``/hooks/response/<id>`` on the same server.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from .models import ApiError, Call, JsonDict, Message
from .server import Answer, Failure, FailurePlan, LocalServer, bearer_token, parse_params
from .views import ViewStore
from .workspace import ResponseUrlTarget, Workspace

logger = logging.getLogger(__name__)

T = TypeVar("T")

RESPONSE_URL_METHOD = "response_url"
"""The ``Call.method`` (and ``fail()`` name) of requests to a ``response_url``."""


class SlackStandIn:
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
        bot_id: str = "B0SPEAKOUT",
        app_id: str = "A0SPEAKOUT",
    ) -> None:
        self.latency = latency
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.bot_id = bot_id
        self.app_id = app_id
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._workspace = Workspace(team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, app_id=app_id)
        self._views = ViewStore(
            team_id=team_id, app_id=app_id, bot_id=bot_id, user_exists=lambda u: u in self._workspace.users
        )
        self._calls: list[Call] = []
        self._failures = FailurePlan()
        self._down = False
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None
        ws, views = self._workspace, self._views
        self._methods: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": ws.auth_test,
            "chat.postMessage": ws.chat_post_message,
            "chat.update": ws.chat_update,
            "chat.delete": ws.chat_delete,
            "chat.postEphemeral": ws.chat_post_ephemeral,
            "chat.getPermalink": ws.chat_get_permalink,
            "conversations.open": ws.conversations_open,
            "conversations.members": ws.conversations_members,
            "conversations.info": ws.conversations_info,
            "conversations.kick": ws.conversations_kick,
            "users.info": ws.users_info,
            "views.open": views.views_open,
            "views.push": views.views_push,
            "views.update": views.views_update,
            "views.publish": views.views_publish,
        }

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

    def _changed(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # ------------------------------------------------------ failure injection

    def fail(
        self,
        method: str,
        *,
        error: str | None = "internal_error",
        status: int = 200,
        times: int | None = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None: until ``clear_failures``)
        misbehave: wait ``delay`` seconds, then close the connection (``drop``), or
        answer ``{"ok": false, "error": error}`` with HTTP ``status`` (a 429 also gets
        ``Retry-After: retry_after``, default 1), or with ``error=None`` answer
        normally (just slow). Rules queue up per method in the order given."""
        rule = Failure(error, status, times, retry_after, delay, drop)
        with self._cond:
            self._failures.add(method, rule)

    def clear_failures(self, method: str | None = None) -> None:
        with self._cond:
            self._failures.clear(method)

    def go_down(self) -> None:
        """Answer every request with HTTP 503 until ``come_back()``."""
        with self._cond:
            self._down = True

    def come_back(self) -> None:
        with self._cond:
            self._down = False

    # -------------------------------------------------------- workspace setup

    def add_user(self, user_id: str, name: str, *, real_name: str | None = None, is_bot: bool = False) -> None:
        with self._cond:
            self._workspace.add_user(user_id, name, real_name=real_name, is_bot=is_bot)
            self._cond.notify_all()

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        is_private: bool = True,
        is_im: bool = False,
        bot_member: bool = True,
    ) -> None:
        """Create (or replace) a channel; the bot joins it unless ``bot_member=False``."""
        with self._cond:
            self._workspace.add_channel(
                channel_id, name, members=members, is_private=is_private, is_im=is_im, bot_member=bot_member
            )
            self._cond.notify_all()

    def set_members(self, channel_id: str, members: Iterable[str], *, bot_member: bool | None = None) -> None:
        """Replace a channel's human members; the bot's membership stays as it was
        unless ``bot_member`` says otherwise."""
        with self._cond:
            self._workspace.set_members(channel_id, members, bot_member=bot_member)
            self._cond.notify_all()

    def members(self, channel_id: str) -> list[str]:
        with self._cond:
            return list(self._workspace.channels[channel_id].members)

    def user(self, user_id: str) -> JsonDict | None:
        """The ``users.info`` ``user`` object, or None for an unknown user."""
        with self._cond:
            return self._workspace.user_info(user_id)

    def channel(self, channel_id: str) -> JsonDict | None:
        """The ``conversations.info`` ``channel`` object, or None."""
        with self._cond:
            return self._workspace.channel_info(channel_id)

    # -------------------------------------------------------------- messages

    def messages(self, channel: str | None = None) -> list[Message]:
        """Messages (ephemeral ones included, see ``Message.ephemeral_for``) in post order."""
        with self._cond:
            return self._workspace.messages(channel)

    def message(self, channel: str, ts: str) -> Message | None:
        with self._cond:
            found = self._workspace.find_message(channel, ts)
            return found.snapshot() if found is not None else None

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The replies to the message ``ts`` in ``channel``."""
        return [m for m in self.messages(channel) if m.thread_ts == ts and m.ts != ts]

    def dm_channel_for(self, user_id: str) -> str:
        return Workspace.dm_channel_for(user_id)

    def dms_to(self, user_id: str) -> list[Message]:
        """What the bot said in its DM with ``user_id``."""
        channel = self.dm_channel_for(user_id)
        return [m for m in self.messages(channel) if m.user == self.bot_user_id]

    def ephemerals_for(self, user_id: str) -> list[Message]:
        return [m for m in self.messages() if m.ephemeral_for == user_id]

    def post_user_message(self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> Message:
        """Record a message a person wrote (as when they type in Slack); returns it with its ts."""
        with self._cond:
            try:
                message = self._workspace.post_as_user(user_id, channel_id, text, thread_ts=thread_ts)
            except ApiError as error:
                raise ValueError(f"cannot post as {user_id} in {channel_id}: {error.error}") from None
            self._cond.notify_all()
            return message

    def new_response_url(self, user_id: str, channel_id: str, *, message_ts: str | None = None) -> str:
        """A ``response_url`` for an interaction by ``user_id`` in ``channel_id``
        (``message_ts``: the message the interaction came from)."""
        with self._cond:
            hook_id = self._workspace.new_response_url(ResponseUrlTarget(user_id, channel_id, message_ts))
        return f"{self.base_url}/hooks/response/{hook_id}"

    # ----------------------------------------------------------------- views

    def issue_trigger(self, user_id: str, *, issued_at: float | None = None) -> str:
        """A trigger_id for ``user_id``, usable once within 3 s of ``issued_at``
        (a ``time.monotonic()`` value, default now)."""
        with self._cond:
            return self._views.issue_trigger(user_id, issued_at=issued_at)

    def open_view(self, user_id: str) -> JsonDict | None:
        """The modal the user sees (top of their stack), or None."""
        with self._cond:
            return self._views.open_view(user_id)

    def view_stack(self, user_id: str) -> list[JsonDict]:
        """The user's open modals, bottom first."""
        with self._cond:
            return self._views.stack(user_id)

    def view(self, view_id: str) -> JsonDict | None:
        """Any open modal or Home tab by id."""
        with self._cond:
            return self._views.view(view_id)

    def home_view(self, user_id: str) -> JsonDict | None:
        with self._cond:
            return self._views.home_view(user_id)

    def close_views(self, user_id: str) -> None:
        with self._cond:
            self._views.close_views(user_id)
            self._cond.notify_all()

    def record_view_closed(self, user_id: str, view_id: str | None = None) -> JsonDict | None:
        """The user closed ``view_id`` (default: the top modal), as with the close
        button; returns the closed view."""
        with self._cond:
            closed = self._views.close_view(user_id, view_id)
            self._cond.notify_all()
            return closed

    def set_view_state(self, view_id: str, block_id: str, action_id: str, entry: JsonDict) -> None:
        """Record a value the user entered in a view (reported in ``view.state``)."""
        with self._cond:
            self._views.set_state(view_id, block_id, action_id, entry)
            self._cond.notify_all()

    def apply_view_submission_answer(self, user_id: str, view_id: str, answer: Any) -> str | None:
        """Update the user's modals after the app answered a view_submission with
        HTTP 200 and ``answer`` (decoded JSON, None for an empty body). Returns
        None, or the reason Slack would show an error in the modal instead."""
        with self._cond:
            problem = self._views.apply_submission_answer(user_id, view_id, answer)
            self._cond.notify_all()
            return problem

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
            try:
                decoded = json.loads(body or b"{}")
            except ValueError:
                decoded = None
            problem = None if isinstance(decoded, dict) else "invalid_payload"
            hook_params: JsonDict = decoded if isinstance(decoded, dict) else {}
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
        recorded = copy.deepcopy(params)
        with self._cond:
            down = self._down
            rule = None if down else self._failures.take(method)
        pause = self.latency + (rule.delay if rule is not None else 0.0)
        if pause > 0:
            self._stopping.wait(pause)
        extra_headers: dict[str, str] = {}
        with self._cond:
            result: JsonDict | ApiError
            if down:
                result = ApiError("service_unavailable", status=503)
            elif rule is not None and rule.drop:
                self._record(Call(method, recorded, token, arrived, failed=True, error="dropped"))
                return None
            elif rule is not None and rule.error is not None:
                result = ApiError(rule.error, status=rule.status)
                if rule.status == 429 or rule.retry_after is not None:
                    extra_headers["Retry-After"] = str(rule.retry_after if rule.retry_after is not None else 1)
            else:
                result = self._dispatch(method, params, token, problem=problem, hook_id=hook_id)
            failed = isinstance(result, ApiError)
            error = result.error if isinstance(result, ApiError) else None
            self._record(Call(method, recorded, token, arrived, failed=failed, error=error))
        if hook_id is not None:
            status, text = (result.status, result.error) if isinstance(result, ApiError) else (200, "ok")
            return Answer.text(status, text, extra_headers)
        if isinstance(result, ApiError):
            return Answer.json(result.status, result.body(), extra_headers)
        return Answer.json(200, result, extra_headers)

    def _dispatch(
        self, method: str, params: JsonDict, token: str | None, *, problem: str | None, hook_id: str | None
    ) -> JsonDict | ApiError:
        """Run one method against the workspace (lock held)."""
        try:
            if hook_id is not None:
                if problem is not None:
                    raise ApiError(problem, status=400)
                self._workspace.respond(hook_id, params)
                return {"ok": True}
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError("unknown_method", status=404)
            if problem is not None:
                raise ApiError(problem)
            if token is None:
                raise ApiError("not_authed")
            if token != self.bot_token:
                raise ApiError("invalid_auth")
            return handler(params)
        except ApiError as error:
            if hook_id is not None and error.status == 200:
                error.status = 400
            return error
        except Exception:  # a stand-in bug must not look like a dropped connection
            logger.exception("stand-in failed to handle %s", method)
            return ApiError("internal_error", status=500)

    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
