"""``python -m benchmarks all --db sqlite|postgres|both`` (see benchmarks/README.md)."""

import argparse
import json
import logging
import sys
import time

from benchmarks.common import DATABASES, load, machine


def _dbs(value: str) -> list[str]:
    return list(DATABASES) if value == "both" else [value]


def _ns(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


def _transports(value: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    if not chosen or set(chosen) - {"http", "socket"}:
        raise argparse.ArgumentTypeError(f"{value!r}: a comma-separated list of http and socket")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Speak Out benchmarks (loopback only)")
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--db", choices=(*DATABASES, "both"), default="both")
    shared.add_argument("--api-latency", type=float, default=0.1, help="seconds the Web API stand-in takes per call")
    commands = parser.add_subparsers(dest="command", required=True)

    every = commands.add_parser("all", parents=[shared], help="every benchmark, one after the other")
    ack = commands.add_parser(
        "ack", parents=[shared], help="ack_latency: answers (HTTP, Socket Mode) under N concurrent reporters"
    )
    cases = commands.add_parser("cases", parents=[shared], help="case_volume: Home and card renders over many cases")
    seed = commands.add_parser("seed", parents=[shared], help="fill the case_volume database with cases")
    reminders = commands.add_parser("reminders", parents=[shared], help="reminder_volume: 50,000 pending reminders")
    burst = commands.add_parser("burst", parents=[shared], help="burst: cards under Slack's rate limits")
    burst.add_argument("--ns", type=_ns, default=[50, 200], help="reports in each burst, e.g. 50,200")
    commands.add_parser("report", help="print the tables of the results already in benchmarks/results")
    for sub in (every, ack):
        sub.add_argument("--ns", type=_ns, default=[10, 50, 200], help="concurrent participants, e.g. 10,50,200")
        sub.add_argument("--card-timeout", type=float, default=30.0, help="longest wait for the case cards")
        sub.add_argument(
            "--serve-setting",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a setting for `speakout serve`, e.g. LISTENER_THREADS=64 (repeatable)",
        )
        sub.add_argument("--repeat", type=int, default=1, help="rounds per N, pooled (the machine is noisy)")
        sub.add_argument(
            "--targets",
            type=lambda v: tuple(v.split(",")),
            default=("bare-in-process", "bare-process", "speakout"),
            help="which of bare-in-process,bare-process,speakout to run",
        )
        sub.add_argument(
            "--transports",
            type=_transports,
            default=("http", "socket"),
            help="how Speak Out gets Slack's requests: http, socket or http,socket (the bare baselines: HTTP)",
        )
    for sub in (every, cases, seed):
        sub.add_argument("--cases", type=int, default=100_000)
    for sub in (every, cases):
        sub.add_argument("--renders", type=int, default=50)
        sub.add_argument("--reseed", action="store_true", help="seed again even if the database has the cases")
    for sub in (every, reminders):
        sub.add_argument("--reminders", type=int, default=50_000)
        sub.add_argument("--due", type=int, default=1000, help="reminders that come due within one minute")
        sub.add_argument("--window", type=float, default=60.0, help="seconds over which they come due")
        sub.add_argument("--drain-timeout", type=float, default=30.0, help="longest wait after the window")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The bare app served from this process logs each time 200 requests queue up; that is the test.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    if args.command == "report":
        return report()
    started = time.monotonic()
    print(f"machine: {machine()}", flush=True)
    for db in _dbs(args.db):
        if args.command in ("all", "ack"):
            from benchmarks import ack_latency

            print(f"\n== ack_latency on {db} ==", flush=True)
            settings = dict(item.split("=", 1) for item in args.serve_setting)
            ack_latency.run(
                db,
                ns=args.ns,
                api_latency=args.api_latency,
                card_timeout=args.card_timeout,
                settings=settings,
                repeat=args.repeat,
                targets=args.targets,
                transports=args.transports,
            )
        if args.command == "burst":
            from benchmarks import burst as bursts

            print(f"\n== burst on {db} ==", flush=True)
            bursts.run(db, ns=args.ns, api_latency=args.api_latency)
        if args.command == "seed":
            from benchmarks import seed as seeding

            seeding.run(db, cases=args.cases)
        if args.command in ("all", "cases"):
            from benchmarks import case_volume

            print(f"\n== case_volume on {db} ==", flush=True)
            case_volume.run(db, cases=args.cases, renders=args.renders, reseed=args.reseed)
        if args.command in ("all", "reminders"):
            from benchmarks import reminder_volume

            print(f"\n== reminder_volume on {db} ==", flush=True)
            reminder_volume.run(
                db,
                reminders=args.reminders,
                due=args.due,
                window=args.window,
                drain_timeout=args.drain_timeout,
                api_latency=args.api_latency,
            )
    print(f"\nfinished in {time.monotonic() - started:.0f}s, load average now {load()}")
    return 0


def report() -> int:
    from benchmarks import ack_latency, burst, case_volume, reminder_volume
    from benchmarks.common import RESULTS

    renderers = {
        "ack_latency": ack_latency,
        "case_volume": case_volume,
        "reminder_volume": reminder_volume,
        "burst": burst,
    }
    for name, module in renderers.items():
        for db in DATABASES:
            path = RESULTS / f"{name}-{db}.json"
            if path.exists():
                data = json.loads(path.read_text())
                print(
                    f"<!-- {path.name}: {data['finished_at']}, load {data['machine']['load_average']},"
                    f" product {data.get('product', {}).get('commit')} -->"
                )
                print(module.render(db, data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
