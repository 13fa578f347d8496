"""A burst of reports under Slack's rate limits: how soon each card reaches the organizers.

Slack takes about one message a second per channel, so the k-th card of a burst can't be in
the organizers' channel much before k seconds after the burst. For N reports (5% urgent) sent
at once through signed requests to ``LocalSpeakOut`` (the real app, server and outbox in this
process, the stand-in with Slack's rate limits on, each Web API call taking ``api_latency``):

- the time from the burst to each card, against k seconds (goal: k x 1.0 s + 2 s);
- the time to the urgent cards of the burst (they go first), and to the cards of a few urgent
  reports sent one at a time later, while the backlog of the burst is still draining (goal: 3 s);
- the 429s the app got (goal: none), by method, and the Web API calls per case once everything
  the burst caused has been delivered.

The modals are opened beforehand with the stand-in's limits off (200 people opening the form
within a second would be more than ``views.open``'s Tier 4 allows: that is how the people came
to have their forms open, not what is measured); the limits are on from the burst on.
"""

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import BenchDatabase, key_file, load, participant_ids, poll, secs, summary, table, write_result
from db.enums import OutboxState
from db.models import OutboxMessage
from slack_app.sandbox.loopback import ORGANIZERS, LocalSpeakOut

DESCRIPTION = "During the keynote Q&A he kept photographing my badge after I asked him to stop."
VALUES = {"category": "harassment", "anonymity": "named"}
REFERENCE = re.compile(r"CoC-\d{4,}")
LATE_URGENT = 3


def _cards(local: LocalSpeakOut) -> list[tuple[float, str, bool]]:
    """The cards in the organizers' channel: (the time Slack stored it, reference, urgent)."""
    cards = []
    for message in local.stand_in.messages(ORGANIZERS):
        found = REFERENCE.search(message.text or "")
        if message.thread_ts is None and found:
            cards.append((float(message.ts), found.group(), message.text.startswith("Urgent")))
    return cards


def _pending(local: LocalSpeakOut) -> int:
    with local.services.sessions.begin() as session:
        return session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING)
        )


def run_round(db: BenchDatabase, n: int, api_latency: float, drain_timeout: float) -> dict[str, Any]:
    db.reset()
    users = participant_ids(n)
    late = participant_ids(LATE_URGENT, prefix="U0LATE")
    urgent_every = 20  # 5%
    urgent_users = {user for i, user in enumerate(users) if i % urgent_every == urgent_every // 2}
    with LocalSpeakOut(db.url, latency=api_latency, env={"ENCRYPTION_KEY": key_file()}) as local:
        for user in [*users, *late]:
            local.stand_in.add_user(user, user.lower())
        local.stand_in.rate_limits.enabled = False
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda u: local.slack.slash_command(u, "/report", text=DESCRIPTION), [*users, *late]))
        if not poll(lambda: all(local.stand_in.open_view(u) for u in [*users, *late]), 30):
            raise RuntimeError("the report modals did not open")
        local.stand_in.rate_limits.enabled = True
        local.stand_in.reset_calls()

        barrier = threading.Barrier(n + 1)
        answers: list[Any] = [None] * n

        def submit(i: int) -> None:
            values = {**VALUES, "urgent": ["urgent"]} if users[i] in urgent_users else VALUES
            barrier.wait()
            answers[i] = local.slack.submit_view(users[i], values)

        threads = [threading.Thread(target=submit, args=(i,), daemon=True) for i in range(n)]
        for thread in threads:
            thread.start()
        barrier.wait()
        burst_at = time.time()
        for thread in threads:
            thread.join()
        answered = time.time() - burst_at

        # Urgent reports one at a time while the burst's cards are still going out.
        late_delays: list[float | None] = []
        late_refs: set[str] = set()
        for j, user in enumerate(late):
            time.sleep(max(0.0, burst_at + (j + 1) * n / (LATE_URGENT + 1) - time.time()))
            seen = {ref for _, ref, _ in _cards(local)}
            sent_at = time.time()
            local.slack.submit_view(user, {**VALUES, "urgent": ["urgent"]})
            known = seen | late_refs
            poll(lambda known=known: any(u and ref not in known for _, ref, u in _cards(local)), 30, every=0.05)
            new = [(ts, ref) for ts, ref, u in _cards(local) if u and ref not in known]
            late_refs.update(ref for _, ref in new)
            late_delays.append(min(ts for ts, _ in new) - sent_at if new else None)

        all_cards = poll(lambda: len(_cards(local)) >= n + LATE_URGENT, drain_timeout)
        snapshot = sorted(_cards(local))
        late_slots = _slots_ahead(local, late_refs)
        drained = poll(lambda: _pending(local) == 0 and not local.services.outbox.busy(), drain_timeout, every=0.5)
        drain = time.time() - burst_at
        calls = local.stand_in.calls
    burst_cards = [(ts, urgent) for ts, ref, urgent in snapshot if ref not in late_refs]
    to_card = [ts - burst_at for ts, _ in burst_cards]
    # Every post takes one of the channel's slots: the k-th card's k also counts the urgent
    # cases' posts that went before it by design (``_slots_ahead``).
    ks = [k + sum(slot < ts for slot in late_slots) for k, (ts, _) in enumerate(burst_cards, start=1)]
    lag = [t - k for k, t in zip(ks, to_card, strict=True)]
    limited = Counter(call.method for call in calls if call.error == "ratelimited")
    return {
        "n": n,
        "urgent_in_burst": len(urgent_users),
        "answered_in": answered,
        "cards_posted": len(snapshot),
        "all_cards": all_cards,
        "to_card": to_card,
        "kth_lag": summary(lag),
        "kth_within_goal": sum(t <= k + 2.0 for k, t in zip(ks, to_card, strict=True)),
        "urgent_burst_cards": [ts - burst_at for ts, urgent in burst_cards if urgent],
        "urgent_burst_ranks": [k for k, (_, urgent) in enumerate(burst_cards, start=1) if urgent],
        "late_urgent": late_delays,
        "ratelimited": dict(limited),
        "drained": drained,
        "drain_s": drain,
        "calls": len(calls),
        "calls_by_method": dict(Counter(call.method for call in calls)),
        "calls_per_case": len(calls) / (n + LATE_URGENT),
        "load": load(),
    }


def _slots_ahead(local: LocalSpeakOut, late_refs: set[str]) -> list[float]:
    """When the posts that go before the burst's cards by design were stored: the late urgent
    reports' cards, and the thread posts of every urgent case (an urgent case's messages go
    first)."""
    messages = local.stand_in.messages(ORGANIZERS)
    late, urgent = set(), set()
    for m in messages:
        found = REFERENCE.search(m.text or "")
        if m.thread_ts is None and found:
            if found.group() in late_refs:
                late.add(m.ts)
            if m.text.startswith("Urgent"):
                urgent.add(m.ts)
    return [float(m.ts) for m in messages if m.ts in late or m.thread_ts in urgent]


def run(db_kind: str, *, ns: list[int], api_latency: float, drain_timeout: float | None = None) -> dict[str, Any]:
    rounds = []
    for n in ns:
        print(f"burst of {n} on {db_kind} ...", flush=True)
        rounds.append(run_round(BenchDatabase(db_kind, "burst"), n, api_latency, drain_timeout or 4.0 * n + 120))
        print(render_round(rounds[-1]), flush=True)
    data = {"api_latency": api_latency, "rounds": rounds}
    path = write_result("burst", db_kind, data)
    print(render(db_kind, data))
    print(f"written to {path}")
    return data


def render_round(r: dict[str, Any]) -> str:
    to_card = r["to_card"]
    picks = [k for k in (1, 5, 10, 25, 50, 100, 150, 200) if k <= len(to_card)]
    return " | ".join(f"card {k}: {to_card[k - 1]:.1f}s" for k in picks)


def render(db_kind: str, data: dict[str, Any]) -> str:
    rows = []
    for r in data["rounds"]:
        to_card = r["to_card"]
        late = [d for d in r["late_urgent"] if d is not None]
        rows.append(
            [
                r["n"],
                f"{r['cards_posted']}/{r['n'] + LATE_URGENT}",
                " / ".join(f"{to_card[k - 1]:.1f}" for k in (1, 10, r["n"]) if k <= len(to_card)),
                f"{secs(r['kth_lag']['max'])}",
                f"{r['kth_within_goal']}/{len(to_card)}",
                " / ".join(f"{t:.1f}" for t in r["urgent_burst_cards"]),
                " / ".join(f"{t:.1f}" for t in late) + (f" ({len(late)}/{LATE_URGENT})" if late else ""),
                sum(r["ratelimited"].values()),
                f"{r['calls_per_case']:.1f}",
                f"{r['drain_s']:.0f}" + ("" if r["drained"] else " (not drained)"),
            ]
        )
    headers = [
        "N",
        "cards",
        "card 1 / 10 / N s",
        "max lag behind k s",
        "k-th within k+2 s",
        "urgent in burst s",
        "late urgent s",
        "429s",
        "calls/case",
        "all delivered s",
    ]
    return f"**burst on {db_kind} (stand-in latency {data['api_latency']}s, Slack's limits on)**\n\n" + table(
        headers, rows
    )
