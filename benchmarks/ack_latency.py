"""How fast Slack gets its answers while N participants report at once.

For each N, a fresh database, a fresh Web API stand-in (``SlackStandIn(latency=...)``) and a
fresh ``python -m slack_app serve`` process. N threads wait at a barrier, then each sends a
signed ``/report``; once every modal is open, N threads wait at a second barrier and each
submits its modal. Measured per request: the HTTP response time as the client sees it; per
case: the time from sending the submission until the stand-in stored the case card in the
organizers' channel.

The same rounds run against a bare Bolt app (``benchmarks/bare_app.py``) on the same server
type, once in this process (as the brief asks) and once as a process of its own (the same
footing as ``speakout serve``, which is the fairer comparison).

Speak Out runs over each of ``transports``: ``http`` as above; ``socket``: ``speakout serve
--socket-mode`` connected to the stand-in's Socket Mode server, the same requests sent as
envelopes (``SlackRequests(socket_mode=True)``), timed from sending the envelope until its ack
arrived. The bare baselines are HTTP only. The tables: ``benchmarks/ack_report.py``.
"""

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks import bare_app
from benchmarks.ack_report import ratios, render
from benchmarks.common import (
    ESCALATION,
    ORGANIZERS,
    BenchDatabase,
    Process,
    free_port,
    http_get_json,
    key_file,
    load,
    participant_ids,
    poll,
    populate_workspace,
    process_env,
    summary,
    write_result,
)
from slack_app.sandbox.stand_in import SlackRequests, SlackStandIn

DEADLINE = 3.0  # Slack shows the user an error after this long
DESCRIPTION = "During the keynote Q&A he kept photographing my badge after I asked him to stop."
SPEAKOUT_VALUES = {"category": "harassment", "anonymity": "named"}
BARE_VALUES = {"description": DESCRIPTION}
REFERENCE = re.compile(r"CoC-\d{4,}")
TARGETS = ("bare-in-process", "bare-process", "speakout")
TRANSPORTS = ("http", "socket")


@dataclass
class Target:
    """Something answering Slack's requests at ``url`` (signed with ``secret``), or over the
    stand-in's Socket Mode connection when ``transport`` is ``socket``."""

    name: str
    url: str
    secret: str
    stop: Callable[[], None]
    values: dict[str, Any]
    pid: int | None = None
    transport: str = "http"


def speakout(
    db: BenchDatabase, stand_in: SlackStandIn, n: int, settings: dict[str, str] | None = None, transport: str = "http"
) -> Target:
    db.reset()
    port, secret = free_port(), secrets.token_hex(16)
    socket = transport == "socket"
    env = process_env(
        SLACK_BOT_TOKEN=stand_in.bot_token,
        SLACK_SIGNING_SECRET=secret,
        SLACK_API_URL=stand_in.url,
        DATABASE_URL=db.url,
        ORGANIZER_CHANNEL_ID=ORGANIZERS,
        ESCALATION_CHANNEL_ID=ESCALATION,
        ENCRYPTION_KEY=key_file(),
        LOG_LEVEL="INFO",
        **({"SLACK_APP_TOKEN": stand_in.app_token} if socket else {}),
        **(settings or {}),
    )
    args = ["-m", "slack_app", "serve", *(["--socket-mode"] if socket else []), "--host", "127.0.0.1"]
    process = Process(f"ack-serve-{db.kind}-{transport}-{n}", [*args, "--port", str(port)], env)
    health = f"http://127.0.0.1:{port}/healthz"
    if socket:
        # /healthz answers 200 only while the socket is connected, and says so.
        process.wait_until(lambda: (http_get_json(health) or {}).get("socket_mode") == "connected")
        stand_in.socket_mode.wait_connected(1)
        name, url = "speakout (socket)", health  # requests go over the socket; the URL is unused
    else:
        process.wait_until(lambda: http_get_json(health) is not None)
        name, url = "speakout", f"http://127.0.0.1:{port}/slack/events"
    return Target(name, url, secret, process.stop, SPEAKOUT_VALUES, pid=process.pid, transport=transport)


def bare_in_process(stand_in: SlackStandIn) -> Target:
    secret = secrets.token_hex(16)
    server = bare_app.InProcess(stand_in.url, stand_in.bot_token, secret)
    return Target("bare (in-process)", server.url, secret, server.stop, BARE_VALUES)


def bare_subprocess(stand_in: SlackStandIn, n: int) -> Target:
    port, secret = free_port(), secrets.token_hex(16)
    env = process_env(SLACK_BOT_TOKEN=stand_in.bot_token, SLACK_SIGNING_SECRET=secret, SLACK_API_URL=stand_in.url)
    process = Process(f"ack-bare-{n}", ["-m", "benchmarks.bare_app", "--port", str(port)], env)
    process.wait_for_log("listening")
    return Target("bare (own process)", f"http://127.0.0.1:{port}/slack/events", secret, process.stop, BARE_VALUES)


def _together(count: int, work: Callable[[int], None]) -> None:
    """``work(i)`` for i in range(count), each in its own thread, released together."""
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        work(i)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


WARM_UP = 40  # reporters in the warm-up burst: more than the 32 listener threads


def warm_up(target: Target, slack: SlackRequests, stand_in: SlackStandIn) -> None:
    """A burst of /report before the measured round, so the server is as it is after running a
    while: Bolt asks auth.test on a process's first request, the listener pool starts its
    threads on first use (holding a lock every submit to any pool waits on), and the first
    database connections open. None of that happens per request in a running app."""
    users = participant_ids(WARM_UP, prefix="U0WARMUP")
    for user in users:
        stand_in.add_user(user, user.lower())
    _together(len(users), lambda i: slack.slash_command(users[i], "/report", text=DESCRIPTION))
    if not poll(lambda: all(stand_in.open_view(user) is not None for user in users), timeout=15):
        raise RuntimeError(f"{target.name}: the warm-up modals never opened")
    # One submission: a burst would leave the outbox a backlog that the measured round meets.
    slack.submit_view(users[0], target.values)
    time.sleep(1.5)  # let its outbox messages go


def run_round(target: Target, stand_in: SlackStandIn, users: list[str], card_timeout: float) -> dict[str, Any]:
    slack = SlackRequests(target.url, target.secret, stand_in, timeout=30, socket_mode=target.transport == "socket")
    n = len(users)
    warm_up(target, slack, stand_in)
    opens_before = len(stand_in.calls_to("views.open"))
    load_before = load()
    commands: list[Any] = [None] * n

    def command(i: int) -> None:
        commands[i] = slack.slash_command(users[i], "/report", text=DESCRIPTION)

    _together(n, command)
    poll(lambda: len(stand_in.calls_to("views.open")) >= opens_before + n, timeout=15)
    opened = [user for user in users if stand_in.open_view(user) is not None]
    submissions: list[Any] = [None] * len(opened)

    def submit(i: int) -> None:
        response = slack.submit_view(opened[i], target.values)
        submissions[i] = (opened[i], time.time() - response.elapsed, response)

    if opened:
        _together(len(opened), submit)
    result: dict[str, Any] = {
        "load_before": load_before,
        "command_times": [r.elapsed for r in commands],
        "submission_times": [r.elapsed for _, _, r in submissions],
        "command_errors": sum(r.status != 200 for r in commands),
        "submission_errors": sum(r.status != 200 or r.slack_error is not None for _, _, r in submissions),
        "modals_not_opened": n - len(opened),
        "no_answer": sum(r.status == 0 for r in commands) + sum(r.status == 0 for _, _, r in submissions),
    }
    if target.values is SPEAKOUT_VALUES:
        result.update(_card_delays(stand_in, submissions, card_timeout))
    return result


def _combine(target: Target, n: int, raws: list[dict[str, Any]]) -> dict[str, Any]:
    """The repeats of one round as one sample."""
    commands = [t for raw in raws for t in raw["command_times"]]
    submissions = [t for raw in raws for t in raw["submission_times"]]
    result: dict[str, Any] = {
        "target": target.name,
        "transport": target.transport,
        "n": n,
        "repeats": len(raws),
        "load_before": [raw["load_before"][0] for raw in raws],
        "command": summary(commands),
        "submission": summary(submissions),
        "over_deadline": sum(t >= DEADLINE for t in commands + submissions),
        **{
            key: sum(raw[key] for raw in raws)
            for key in ("command_errors", "submission_errors", "modals_not_opened", "no_answer")
        },
    }
    if "card_delays" in raws[0]:
        delays = [t for raw in raws for t in raw["card_delays"]]
        result["card"] = summary(delays, bounds=[t for raw in raws for t in raw["card_bounds"]])
        result["cards_posted"] = sum(raw["cards_posted"] for raw in raws)
        result["cases_stored"] = sum(raw["cases_stored"] for raw in raws)
    return result


def _card_delays(stand_in: SlackStandIn, submissions: list[Any], timeout: float) -> dict[str, Any]:
    """Seconds from sending each submission until its case card was stored in the stand-in.
    Slack's answer to a submission comes before the case has its number; the reporter's
    receipt DM says which case is theirs."""
    sent = {
        user: started
        for user, started, response in submissions
        if response.status == 200 and response.response_action == "update"
    }
    references: dict[str, str] = {}
    cards: dict[str, float] = {}

    def all_posted() -> bool:
        for user in sent.keys() - references.keys():
            for message in stand_in.dms_to(user):
                found = REFERENCE.search(message.text or "")
                if found:
                    references[user] = found.group()
                    break
        for message in stand_in.messages(ORGANIZERS):
            found = REFERENCE.search(message.text)
            if message.thread_ts is None and found:
                cards.setdefault(found.group(), float(message.ts))
        return all(references.get(user) in cards for user in sent)

    poll(all_posted, timeout, every=0.25)
    gave_up = time.time()
    posted = {user: cards[references[user]] for user in sent if references.get(user) in cards}
    delays = [posted[user] - started for user, started in sent.items() if user in posted]
    waited = [gave_up - started for user, started in sent.items() if user not in posted]
    return {
        "card_delays": delays,
        "card_bounds": waited,
        "cards_posted": len(delays),
        "cases_stored": len(sent),
        "card_timeout": timeout,
    }


def run(
    db_kind: str,
    *,
    ns: list[int],
    api_latency: float,
    card_timeout: float,
    settings: dict[str, str] | None = None,
    repeat: int = 1,
    targets: tuple[str, ...] = TARGETS,
    transports: tuple[str, ...] = ("http",),
) -> dict[str, Any]:
    if set(transports) - set(TRANSPORTS):
        raise ValueError(f"transports {transports}: choose from {TRANSPORTS}")
    db = BenchDatabase(db_kind, "ack")
    key_file()
    rounds: list[dict[str, Any]] = []
    for n in ns:
        users = participant_ids(n)
        makers: list[tuple[str, Callable[[SlackStandIn], Target]]] = [
            ("bare-in-process", lambda s: bare_in_process(s)),
            ("bare-process", lambda s: bare_subprocess(s, n)),  # noqa: B023 (called within this iteration)
            *(("speakout", lambda s, t=t: speakout(db, s, n, settings, t)) for t in transports),  # noqa: B023
        ]
        for name, make in makers:
            if name not in targets:
                continue
            raws = []
            for _ in range(repeat):
                with SlackStandIn(latency=api_latency) as stand_in:
                    populate_workspace(stand_in, users)
                    target = make(stand_in)
                    try:
                        raws.append(run_round(target, stand_in, users, card_timeout))
                    finally:
                        target.stop()
                print(f"  {target.name:<20} N={n:<4} done (load {raws[-1]['load_before'][0]:.2f})", flush=True)
            rounds.append(_combine(target, n, raws))
    data = {
        "api_latency": api_latency,
        "settings": settings or {},
        "repeat": repeat,
        "transports": list(transports),
        "rounds": rounds,
        "ratios": ratios(rounds, ns),
    }
    print(render(db_kind, data))
    print(f"wrote {write_result('ack_latency', db_kind, data)}")
    return data
