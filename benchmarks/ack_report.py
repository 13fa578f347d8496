"""The tables of ``ack_latency``: one row per target, transport and N, and the ratio of Speak
Out's p50s to the bare Bolt app's (over HTTP, for every transport of Speak Out).

Results written before the transport dimension carry no ``transport``; they were all HTTP.
"""

from typing import Any

from benchmarks.common import ms, secs, table

BARE_TARGETS = ("bare (in-process)", "bare (own process)")


def transport(entry: dict[str, Any]) -> str:
    return entry.get("transport", "http")


def ratios(rounds: list[dict[str, Any]], ns: list[int]) -> list[dict[str, Any]]:
    """p50 of each Speak Out round over the p50 of each bare (HTTP) round of the same N."""
    found = []
    for n in ns:
        bares = {r["target"]: r for r in rounds if r["n"] == n and r["target"] in BARE_TARGETS}
        ours = [r for r in rounds if r["n"] == n and r["target"] not in BARE_TARGETS]
        for mine in ours:
            for bare in BARE_TARGETS:
                if bare not in bares:
                    continue
                entry = {"n": n, "transport": transport(mine), "baseline": bare}
                for kind in ("command", "submission"):
                    base, value = bares[bare][kind]["p50"], mine[kind]["p50"]
                    entry[kind] = value / base if base and value else None
                found.append(entry)
    return found


def render(db_kind: str, data: dict[str, Any]) -> str:
    rows = []
    for r in data["rounds"]:
        c, s = r["command"], r["submission"]
        card = r.get("card")
        rows.append(
            [
                r["target"],
                transport(r),
                r["n"],
                f"{ms(c['p50'])} / {ms(c['p95'])} / {ms(c['p99'])} / {ms(c['max'])}",
                f"{ms(s['p50'])} / {ms(s['p95'])} / {ms(s['p99'])} / {ms(s['max'])}",
                r["over_deadline"],
                r["command_errors"] + r["submission_errors"] + r["modals_not_opened"],
                r.get("no_answer", 0),
                " / ".join(secs(card[k], card, k) for k in ("p50", "p95", "max")) if card else "",
                f"{r['cards_posted']}/{r['cases_stored']}" if card else "",
            ]
        )
    headers = [
        "target",
        "transport",
        "N",
        "/report ms p50/p95/p99/max",
        "submission ms p50/p95/p99/max",
        ">3s",
        "errors",
        "no ack",
        "to card s p50/p95/max",
        "cards",
    ]
    ratio_rows = [
        [
            r["n"],
            transport(r),
            r["baseline"],
            f"{r['command']:.2f}x" if r["command"] else "-",
            f"{r['submission']:.2f}x" if r["submission"] else "-",
        ]
        for r in data["ratios"]
    ]
    repeat = data.get("repeat", 1)
    return (
        f"\nack_latency on {db_kind} (stand-in latency {data['api_latency']}s"
        f"{', ' + str(repeat) + ' repeats pooled' if repeat > 1 else ''}"
        f"{', ' + str(data['settings']) if data.get('settings') else ''})\n"
        + table(headers, rows)
        + "\n\np50 of Speak Out (over each transport) / p50 of the bare Bolt app (over HTTP)\n"
        + table(["N", "transport", "baseline", "/report", "submission"], ratio_rows)
    )
