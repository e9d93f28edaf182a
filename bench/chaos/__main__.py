"""``make chaos``: faults survived, with figures (docs/reliability.md).

Run (as root, or as a user who may run ``runuser -u postgres`` and ``mount``)::

    .venv/bin/python -m bench.chaos [--quick] [--redis-seconds 30] [--only web,redis,…]

Starts its own PostgreSQL cluster (initdb in a temporary directory, a free port), its
own redis-server, an SMS gateway sink, two gunicorn gevent web processes and the
scheduler (docs/deployment.md), with UPLOAD_DIR on a small tmpfs. A live session runs
throughout (a host on process A, citizens dealt to A and B over real Socket.IO clients
that reconnect by themselves) and each fault runs during a booking rush (real HTTP
clients). Prints one row per fault and exits 1 when a figure that must be 0 is not, or
a recovery took longer than 10 s. Nothing of the machine's own PostgreSQL or Redis is
touched.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from .clients import LiveRoom
from .cluster import Postgres, Redis, Site, SmsSink, UploadDisk, wait_until, workdir
from .faults import FAULTS, RECOVERY_TARGET, Ledger, notification_figures
from .seed import seed

RESULTS = Path(__file__).resolve().parents[1] / "results" / "chaos.json"
MUST_BE_ZERO = ("places_lost", "places_duplicated", "bookings_lost", "bookings_doubled",
                "sms_lost", "sms_twice", "unclean", "after", "files_partial_or_damaged")


class Context:
    """Everything a fault needs: the services, the site, the room, the ledger."""

    def __init__(self, args):
        self.args, self.dir = args, workdir()
        self.pg = Postgres(self.dir)
        self.redis = Redis(self.dir)
        self.sink = SmsSink()
        self.disk = UploadDisk(self.dir)
        self.site = Site(self.dir, self.pg.url, self.redis.url, self.sink.url, self.disk.path)
        self.site.flask("upgrade-db")
        faults = len(args.only)
        self.seeded = seed(self.pg.url, args.waiting, args.rushers * faults)
        self.rush_tokens = list(self.seeded["rush"]["tokens"])
        self.booked: dict[str, int] = {}
        self.ledger = Ledger(self.pg.url)
        for name in ("scheduler", "a", "b"):
            self.site.start(name)
        self.site.wait_up("a", "b")
        self.site_urls = {"a": self.site.url("a"), "b": self.site.url("b")}
        self.room = LiveRoom(self.site_urls, self.seeded["live"])
        if wait_until(self.room.settled, 30) is None:
            raise RuntimeError(f"the live room did not settle: {self.room.places()}")
        self.drain()

    def notification_figures(self) -> dict:
        return notification_figures(self.ledger, self.sink)

    def drain(self, timeout: float = 60) -> None:
        """Wait for the outbox to be empty (the scheduler runs every 20 s)."""
        wait_until(lambda: self.ledger.pending_sms() == 0, timeout, step=0.2)

    def room_outages_reset(self) -> None:
        for client in self.room.everyone():
            client.outages.clear()

    def close(self) -> None:
        for step in (self.room.close, self.site.stop, self.redis.stop, self.pg.stop,
                     self.disk.unmount, self.sink.shutdown):
            try:
                step()
            except Exception:  # noqa: BLE001 - tear everything down regardless
                traceback.print_exc()
        shutil.rmtree(self.dir, ignore_errors=True)


def verdict(row: dict) -> list[str]:
    """What went wrong in a row (empty when the fault was survived)."""
    if "skipped" in row or "error" in row:
        return [] if "skipped" in row else [row["error"]]
    problems = [f"{key} = {row[key]}" for key in MUST_BE_ZERO if row.get(key)]
    if row.get("recovery_s") is None or row["recovery_s"] > RECOVERY_TARGET:
        problems.append(f"recovery {row.get('recovery_s')} s > {RECOVERY_TARGET:g} s")
    return problems


def print_table(rows: list[dict]) -> None:
    head = ("fault", "places lost / dup", "bookings lost / doubled (made)",
            "SMS lost / twice (re-POSTed, dropped by key)",
            "5xx during: clean 503/507 + Retry-After / other (no answer)", "5xx after",
            "recovery", "what users saw", "result")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for row in rows:
        if "skipped" in row or "error" in row:
            reason = row.get("skipped") or row.get("error")
            print(f"| {row['fault']} | " + " | ".join(["—"] * 7) + f" | {reason} | "
                  + ("skipped" if "skipped" in row else "FAIL") + " |")
            continue
        recovery = row.get("recovery_s")
        print("| " + " | ".join([
            row["fault"], f"{row['places_lost']} / {row['places_duplicated']}",
            f"{row['bookings_lost']} / {row['bookings_doubled']} ({row['bookings']})",
            f"{row['sms_lost']} / {row['sms_twice']} ({row['sms_reposted']})",
            f"{row['clean']} / {row['unclean']} ({row['refused']})", str(row["after"]),
            "—" if recovery is None else f"{recovery:.1f} s", row["saw"],
            "FAIL: " + "; ".join(verdict(row)) if verdict(row) else "PASS"]) + " |")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="CI sizes: Redis down 5 s, fewer citizens and messages")
    p.add_argument("--only", default=",".join(FAULTS), help=f"comma-separated: {', '.join(FAULTS)}")
    p.add_argument("--redis-seconds", type=float, default=None, help="default 30 (quick: 5)")
    p.add_argument("--waiting", type=int, default=None, help="citizens in the live room (20)")
    p.add_argument("--rushers", type=int, default=None, help="bookings per fault (30)")
    p.add_argument("--messages", type=int, default=None, help="SMS backlog of fault 4 (300)")
    p.add_argument("--rush-interval", type=float, default=0.1,
                   help="seconds between two bookers starting")
    p.add_argument("--out", default=str(RESULTS))
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    quick = args.quick
    args.redis_seconds = args.redis_seconds if args.redis_seconds is not None else (5 if quick else 30)
    args.waiting = args.waiting or (10 if quick else 20)
    args.rushers = args.rushers or (16 if quick else 30)
    args.messages = args.messages or (120 if quick else 300)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(FAULTS)
    if unknown:
        parser().error(f"unknown fault(s): {', '.join(sorted(unknown))}")
    started = time.monotonic()
    ctx = Context(args)
    print(f"started in {time.monotonic() - started:.0f} s: PostgreSQL :{ctx.pg.port}, Redis "
          f":{ctx.redis.port}, web {ctx.site_urls['a']} and {ctx.site_urls['b']}, scheduler; "
          f"uploads on {'a tmpfs' if ctx.disk.mounted else 'a plain directory'}", flush=True)
    rows = []
    try:
        for name in args.only:
            print(f"fault: {name} …", flush=True)
            try:
                row = FAULTS[name](ctx)
            except Exception as exc:  # noqa: BLE001 - one failure must not hide the others
                traceback.print_exc()
                row = {"fault": name, "error": f"{type(exc).__name__}: {exc}"[:300]}
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "notes"}, default=str),
                  flush=True)
    finally:
        ctx.close()
    print(f"\n## Chaos run ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {'quick' if quick else 'full'}, "
          f"{time.monotonic() - started:.0f} s)\n")
    print_table(rows)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"args": vars(args), "rows": rows}, indent=1,
                                         default=str, ensure_ascii=False))
    failed = [row["fault"] for row in rows if verdict(row)]
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'every fault survived'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
