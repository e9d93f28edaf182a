"""``make bench``: every benchmark, one table, and bench/results/latest.json.

Run: ``.venv/bin/python -m bench [--quick] [--only NAME[,NAME]] [--backend B]``.

Benchmarks (names for ``--only``):

* ``live``: the busy morning (bench/bench_live.py): 50 sessions × 20 citizens + 50 hosts,
  one gevent process, then two processes sharing a Redis queue;
* ``province``: a province's morning (bench/bench_live.py ``--province``): 125 sessions ×
  20 citizens + 125 hosts on two processes behind Redis, PostgreSQL; RSS per process;
* ``stress``: 1,000 citizens in one session, beside bare python-socketio and Node's
  socket.io in the same run (bench/bench_stress.py);
* ``pages``: the public schedule page and ``/api/v1/sessions`` at 50 connections
  (bench/bench_pages.py);
* ``booking``: 200 clients rushing 20 slots (bench/bench_booking.py, run as a command);
* ``schedules``: a year of schedules for 125 units and a 1,000-event feed
  (bench/bench_schedules.py, run as a command).

``--backend``: ``sqlite``, ``postgresql`` or ``both``. By default booking and schedules run
on both (their own default), the live, stress and pages benchmarks on SQLite (the
embedded default; their cost is in the sockets and templates, not the database). With
``--backend postgresql`` the stress and pages benchmarks run on PostgreSQL too (the busy
morning always runs on SQLite). ``--quick`` shrinks every size for a smoke run (the
targets then say little). Each row records the load average of the machine when it ran:
other processes on the machine make every figure slower.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
NAMES = ("live", "province", "stress", "pages", "booking", "schedules")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _row(name: str, figure: str, target: str, ok: bool | None, notes: str = "",
         **data) -> dict:
    return {"name": name, "figure": figure, "target": target, "ok": ok, "notes": notes,
            "load": _load(), "data": data}


def _ms(value) -> str:
    return "—" if value is None else f"{value:.0f} ms"


# ---- live ------------------------------------------------------------------------------

def bench_live(args) -> list[dict]:
    from bench import bench_live as live

    options = live.parser().parse_args(
        ["--sessions", "10", "--waiting", "10", "--rounds", "4", "--interval-ms", "2000"]
        if args.quick else [])
    rows = []
    for r in live.run(options):
        name = {"gevent": "busy morning, 1 process", "gevent2": "busy morning, 2 processes + Redis",
                "threading": "busy morning, threading"}[r["mode"]]
        p50, p95 = r["last_ms"]
        ok = None if p95 is None else (p95 <= 100 and not r["timeouts"])
        rows.append(_row(
            name, f"last citizen p50 {_ms(p50)}, p95 {_ms(p95)}",
            "p95 ≤ 100 ms" if r["mode"] == "gevent" else "(no target; compare)",
            ok if r["mode"] == "gevent" else None,
            f"{options.sessions}×{options.waiting} citizens + {options.sessions} hosts; ack p95 "
            f"{_ms(r['ack_ms'][1])}; CPU {r['cpu_per_call_ms']:.1f} ms/call "
            f"({r['cpu_percent']:.0f} %); RSS {r['rss_mb']:.0f} MB; timeouts "
            f"{r['timeouts']}/{r['calls']}", **r))
    return rows


# ---- province --------------------------------------------------------------------------

def bench_province(args) -> list[dict]:
    from bench import bench_live as live

    options = live.province(["--sessions", "20", "--rounds", "4", "--interval-ms", "2000"]
                            if args.quick else [])
    rows = []
    for r in live.run(options):
        p50, p95 = r["last_ms"]
        per_process = r["rss_per_process_mb"]
        ok = None if p95 is None else (p95 <= 50 and not r["timeouts"]
                                       and max(per_process) <= 200)
        rows.append(_row(
            f"province morning, {r['processes']} processes + Redis (PostgreSQL)",
            f"last citizen p50 {_ms(p50)}, p95 {_ms(p95)}; RSS "
            + " / ".join(f"{x:.0f} MB" for x in per_process),
            "p95 ≤ 50 ms, RSS ≤ 200 MB per process", ok,
            f"{options.sessions}×{options.waiting} citizens + {options.sessions} hosts; ack p95 "
            f"{_ms(r['ack_ms'][1])}; CPU {r['cpu_per_call_ms']:.1f} ms/call "
            f"({r['cpu_percent']:.0f} %); masters {r['master_rss_mb']:.0f} MB apart; timeouts "
            f"{r['timeouts']}/{r['calls']}", **r))
    return rows


# ---- stress ----------------------------------------------------------------------------

def bench_stress(args) -> list[dict]:
    from bench import bench_stress as stress

    argv = ["--backend", args.single_backend]
    if args.quick:
        argv += ["--waiting", "200", "--rounds", "5", "--procs", "2"]
    options = stress.parser().parse_args(argv)
    rows = stress.run(options)
    stress.print_table(rows, options)
    by = {r["server"]: r for r in rows}
    verdict = stress.verdict(rows)
    out = []
    app = by.get("app")
    if app:
        ratio = verdict.get("ratio_to_node")
        out.append(_row(
            f"stress: {options.waiting} citizens, one session",
            f"last citizen p50 {_ms(app['last_ms'][0])}, p95 {_ms(app['last_ms'][1])}"
            + (f" ({ratio:.1f} × Node)" if ratio else ""),
            "p95 ≤ 2.5 × Node's and ≤ 250 ms", verdict.get("p95_ok"),
            "; ".join(f"{s} p95 {_ms(r['last_ms'][1])}" for s, r in by.items() if s not in ("app", "app2"))
            + f"; app join of all {app['join_s']:.0f} s, CPU {app['cpu_per_round_ms']:.0f} "
              f"ms/round", rows=rows))
        out.append(_row(
            f"stress: server RSS with {options.waiting:,} connections", f"{app['rss_mb']:.0f} MB",
            "≤ 150 MB", verdict.get("rss_ok"),
            "; ".join(f"{s} {r['rss_mb']:.0f} MB" for s, r in by.items() if s not in ("app", "app2"))
            + f"; app idle {app['rss_idle_mb']:.0f} MB, gunicorn master "
              f"{app['master_rss_mb']:.0f} MB apart"))
    two = by.get("app2")
    if two:
        out.append(_row(
            f"stress: {options.waiting} citizens, 2 processes + Redis (PostgreSQL)",
            f"last citizen p50 {_ms(two['last_ms'][0])}, p95 {_ms(two['last_ms'][1])}",
            "(no target; compare)", None,
            f"half the citizens on each process, the host on one; CPU "
            f"{two['cpu_per_round_ms']:.0f} ms/round (both); RSS {two['rss_mb']:.0f} MB (both)",
            rows=[two]))
    return out


# ---- pages -----------------------------------------------------------------------------

def bench_pages(args) -> list[dict]:
    from bench import bench_pages as pages

    options = pages.parser().parse_args(
        ["--backend", args.single_backend] + (["--seconds", "3"] if args.quick else []))
    result = pages.run(options)
    pages.print_table(result)
    urls = result["urls"]
    rows = []
    for name, label in (("page", "public schedule page"), ("api", "GET /api/v1/sessions")):
        r = urls[name]
        ok = r["p95"] <= pages.PAGE_TARGET_MS and set(r["statuses"]) == {"200"}
        rows.append(_row(
            f"{label}, {options.connections} connections",
            f"{r['rps']:.0f} req/s, p95 {r['p95']:.0f} ms ({r['ratio_to_healthz']:.2f} × /healthz)",
            "p95 ≤ 50 ms", ok,
            f"/healthz {urls['healthz']['rps']:.0f} req/s p95 {urls['healthz']['p95']:.0f} ms; "
            f"p50 {r['p50']:.0f} ms; load generator CPU {r['client_cpu_percent']:.0f} %; "
            f"{options.backend}", **r))
    return rows


# ---- booking and schedules (commands; their output is parsed) ------------------------

def _command(module: str, argv: list[str]) -> str:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", module, *argv], cwd=ROOT, text=True,
                          capture_output=True)
    print(done.stdout, end="", flush=True)
    if done.returncode:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    print(f"({module}: {time.monotonic() - started:.0f} s)", flush=True)
    return done.stdout


def _number(pattern: str, text: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def bench_booking(args) -> list[dict]:
    argv = ["--backend", args.backend]
    if args.quick:
        argv += ["--rounds", "1", "--clients", "50", "--slots", "5"]
    text = _command("bench.bench_booking", argv)
    rows = []
    for section in re.split(r"\n== ", "\n" + text)[1:]:
        label = section.split(":", 1)[0].strip()
        rate = _number(r"POST /bookings: ([\d.]+) requests/s", section)
        booked = _number(r"([\d.]+) bookings/s", section)
        p95 = _number(r"POST /bookings:.*p95 ([\d.]+) ms", section)
        ratio = _number(r"÷ GET /healthz: ([\d.]+)", section)
        exact = "exactly-N-booked check: PASS" in section
        server = re.search(r"(\w+) server ==", section)
        ok = None if ratio is None else (ratio >= 0.40 and exact)
        rows.append(_row(
            f"booking rush, {label}",
            f"{booked if booked is not None else '?'} bookings/s, p95 {_ms(p95)}, "
            f"{ratio if ratio is not None else '?'} × /healthz",
            "≥ 0.40 × /healthz, exactly N booked", ok,
            f"{rate or '?'} POST/s; exactly-N-booked: {'PASS' if exact else 'FAIL'}; "
            f"{server.group(1) if server else '?'} server",
            output=section))
    return rows


def bench_schedules(args) -> list[dict]:
    text = _command("bench.bench_schedules", [])
    rows = []
    for section in re.split(r"\n(?=\S[^\n]*:\n)", "\n" + text.strip()):
        lines = section.strip().splitlines()
        if not lines:
            continue
        label = lines[0].rstrip(":")  # bench_schedules runs every backend it reaches
        create = _number(r"create_schedule \(DB\):.*?median ([\d.]+) ms", section)
        expansion = _number(r"pure expansion:.*?median ([\d.]+) ms", section)
        feed = _number(r"uncached best [\d.]+ ms, median ([\d.]+) ms", section)
        feed_p95 = _number(r"GETs p50 [\d.]+ ms, p95 ([\d.]+)", section)
        if create is not None:
            rows.append(_row(f"a year of schedules for 125 units, {label}", _ms(create),
                             "≤ 1,000 ms", create <= 1000,
                             f"median of 5; pure expansion {_ms(expansion)}", output=section))
        if feed is not None:
            rows.append(_row(f"1,000-event feed, {label}", f"{_ms(feed)} uncached",
                             "≤ 200 ms", feed <= 200,
                             f"median of 5 uncached; cached p95 {feed_p95} ms", output=section))
    return rows


RUNNERS = {"live": bench_live, "province": bench_province, "stress": bench_stress, "pages": bench_pages,
           "booking": bench_booking, "schedules": bench_schedules}


# ---- table and results ---------------------------------------------------------------

def _machine() -> dict:
    def run(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in run(["lscpu"]).splitlines()
                if line.startswith("Model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?")
    return {"cpu": cpu, "cpus": os.cpu_count(), "memory_gb": round(int(memory) / 1024 ** 2, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "node": run(["node", "--version"]), "python_loop_ms": calibration_ms()}


def calibration_ms() -> float:
    """How fast this machine runs Python now: the best of five runs of a fixed loop of
    one million additions, in ms. Virtual machines of the same name differ by up to two
    times from one day to another; compare figures of two runs only with this beside them."""
    best = float("inf")
    for _ in range(5):
        begin = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - begin)
    return round(best * 1000, 1)


def print_table(rows: list[dict]) -> None:
    print("\n## Benchmarks\n")
    head = ("benchmark", "figure", "target", "result", "notes", "load average before → after")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        result = {True: "PASS", False: "MISS", None: "—"}[r["ok"]]
        print("| " + " | ".join([r["name"], r["figure"], r["target"], result,
                                 r["notes"].replace("|", "/"), r["load"]]) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", default="", help=f"comma-separated: {', '.join(NAMES)}")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--out", default=str(RESULTS / "latest.json"))
    args = parser.parse_args(argv)
    args.single_backend = "postgresql" if args.backend == "postgresql" else "sqlite"
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(NAMES)
    unknown = set(chosen) - set(NAMES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    started = time.monotonic()
    report = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": _machine(), "quick": args.quick, "backend": args.backend,
              "load_before": _load(), "rows": [], "errors": {}}
    for name in chosen:
        load = _load()
        print(f"\n=== {name} (load average {load}) ===", flush=True)
        begin = time.monotonic()
        try:
            rows = RUNNERS[name](args)
        except Exception as exc:  # noqa: BLE001 - one failure must not lose the others
            traceback.print_exc()
            report["errors"][name] = str(exc)[:2000]
            rows = [_row(name, "failed", "", False, str(exc).splitlines()[0][:200])]
        for row in rows:
            row["seconds"] = round(time.monotonic() - begin, 1)
            row["load"] = f"{load} → {_load()}"
        report["rows"] += rows
    report["seconds"] = round(time.monotonic() - started, 1)
    report["load_after"] = _load()
    print_table(report["rows"])
    print(f"\n{report['seconds']:.0f} s; load average before {report['load_before']}, after "
          f"{report['load_after']} ({report['machine']['cpus']} CPUs); a million-addition "
          f"Python loop took {report['machine']['python_loop_ms']} ms (machine speed)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    print(f"results: {out}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
