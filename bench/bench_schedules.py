"""Benchmark of the schedules: a year for a province and its communes, and a big feed.

Run: ``.venv/bin/python -m bench.bench_schedules`` (not a test). It builds the
province 08 (Tuyên Quang) and its 124 communes and wards from vietnam-provinces in a
temporary SQLite file and, when reachable, in a PostgreSQL database it recreates
(``BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/bench_schedules``),
then measures:

* the pure expansion of one year of sessions for the 125 units (sessions/recurrence);
* ``create_schedule`` for the 125 units, database writes and commit included;
* serving a unit feed of 1,000 events through the test client: the very first read
  (every session's VEVENT written by icalendar and stored), then uncached reads (the
  stored VEVENTs joined), p50/p95 of 50 GETs and the 304 answers to If-None-Match.

Targets (performance issue): a year for 125 units ≤ 1 s; a 1,000-event feed ≤ 200 ms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock

from sqlalchemy import func, select

from bench.common import recreate_postgres

PG_URL = os.environ.get("BENCH_DATABASE_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_schedules")
YEAR_TARGET, FEED_TARGET = 1.0, 0.200
FEED_EVENTS, FEED_REQUESTS = 1000, 50
RUNS = 5
PROVINCE_RULE, COMMUNE_RULE = "FREQ=MONTHLY;BYDAY=3TU", "FREQ=MONTHLY;BYDAY=2WE,4WE"


def _setup(app):
    """Schema, the province and its communes, one host per unit."""
    from app.auth.models import RoleAssignment, User
    from app.extensions import db
    from app.units.models import Unit
    from app.units.services import import_units

    db.drop_all()
    db.create_all()
    import_units(["08"])
    units = list(db.session.scalars(select(Unit).where(
        (Unit.code == "08") | (Unit.parent.has(Unit.code == "08"))).order_by(Unit.code)))
    hosts = []
    for unit in units:
        host = User(email=f"host{unit.code}@bench.test", full_name=f"Chủ tịch {unit.name}",
                    password_hash="x")  # never logs in: no slow password hashing
        host.roles.append(RoleAssignment(role="host", unit_id=unit.id))
        db.session.add(host)
        hosts.append(host)
    db.session.commit()
    return units, hosts


def _bodies(units, hosts) -> list[dict]:
    from app.timeutil import local_today

    first = local_today() + timedelta(days=7)
    return [{"unit_code": u.code, "host_id": h.id,
             "rrule": PROVINCE_RULE if u.level == "province" else COMMUNE_RULE,
             "start_time": "08:00", "duration_minutes": 210, "slot_minutes": 20,
             "mode": "online", "valid_from": first.isoformat(),
             "valid_until": (first + timedelta(days=364)).isoformat(),
             "holiday_policy": "shift"} for u, h in zip(units, hosts, strict=True)]


def bench_expansion(bodies) -> None:
    """The pure core: 125 schedules expanded over a year (a fresh calendar each run, so
    the holidays package is read too)."""
    from sessions.recurrence import expand_schedule, validate_schedule_params
    from sessions.workdays import WorkCalendar

    timings, count = [], 0
    for _ in range(RUNS):
        calendar = WorkCalendar()
        started = time.perf_counter()
        count = 0
        for body in bodies:
            p = validate_schedule_params(body)
            count += len(expand_schedule(p.rrule, p.start_time, p.duration_minutes,
                                         p.valid_from, p.valid_until, p.holiday_policy,
                                         calendar))
        timings.append(time.perf_counter() - started)
    print(f"  pure expansion: {len(bodies)} schedules, {count} sessions: {_runs(timings)} "
          f"(target ≤ {YEAR_TARGET * 1000:.0f} ms)")


def _runs(timings) -> str:
    return (f"best {min(timings) * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f}"
            f" ms of {len(timings)} runs")


def bench_create(bodies) -> None:
    """create_schedule for every unit, inserts, audit log and commit included."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.schedules.models import ReceptionSession, Schedule
    from app.schedules.services import create_schedule

    timings, count = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        for body in bodies:
            create_schedule(body, None)
        db.session.commit()
        timings.append(time.perf_counter() - started)
        count = db.session.scalar(select(func.count(ReceptionSession.id)))
        db.session.execute(delete(ReceptionSession))
        db.session.execute(delete(Schedule))
        db.session.commit()
    print(f"  create_schedule (DB): {len(bodies)} schedules, {count} sessions: "
          f"{_runs(timings)} (target ≤ {YEAR_TARGET * 1000:.0f} ms)")


def _feed_unit(host):
    """A unit with 1,000 published sessions ahead (written directly)."""
    from app.auth.models import RoleAssignment
    from app.extensions import db
    from app.schedules.models import ReceptionSession
    from app.timeutil import local_today, to_utc_naive, utcnow
    from app.units.models import Unit

    unit = Unit(code="99999", name="Phường Đo Hiệu Năng", level="commune")
    db.session.add(unit)
    db.session.flush()
    db.session.add(RoleAssignment(user_id=host.id, role="host", unit_id=unit.id))
    now, first = utcnow(), local_today() + timedelta(days=1)
    for i in range(FEED_EVENTS):
        day = first + timedelta(days=i // 2)
        starts = to_utc_naive(datetime.combine(day, clock(8 if i % 2 == 0 else 14)))
        db.session.add(ReceptionSession(
            unit_id=unit.id, host_id=host.id, kind="periodic", starts_at=starts,
            ends_at=starts + timedelta(minutes=210), slot_minutes=20, mode="online",
            status="cancelled" if i % 50 == 0 else "scheduled", published_at=now,
            cancel_reason="Đo hiệu năng" if i % 50 == 0 else ""))
    db.session.commit()
    return unit


def _percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_feed(app, host) -> None:
    """GET /calendar/units/<code>.ics of 1,000 events through the test client."""
    unit = _feed_unit(host)
    from app.calendar import services as feeds
    from app.extensions import db
    from app.schedules.models import ReceptionSession

    client = app.test_client()
    url = f"/calendar/units/{unit.code}.ics"
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    backfill = time.perf_counter() - started
    cold = []
    for _ in range(RUNS):
        feeds.clear_cache()
        started = time.perf_counter()
        first = client.get(url)
        cold.append(time.perf_counter() - started)
    assert first.status_code == 200 and first.data.count(b"BEGIN:VEVENT") == FEED_EVENTS
    changed = []
    for i in range(RUNS):
        reception = db.session.scalars(select(ReceptionSession).where(
            ReceptionSession.unit_id == unit.id).offset(i * 7).limit(1)).one()
        reception.sequence += 1  # as an edit, a deputy or a cancellation does
        db.session.commit()
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        changed.append(time.perf_counter() - started)
    timings = []
    for _ in range(FEED_REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    etag = response.headers["ETag"]
    conditional = []
    for _ in range(FEED_REQUESTS):
        started = time.perf_counter()
        response = client.get(url, headers={"If-None-Match": etag})
        conditional.append(time.perf_counter() - started)
        assert response.status_code == 304
    print(f"  unit feed, {FEED_EVENTS} events, {len(first.data) / 1024:.0f} KiB: first read "
          f"(each VEVENT written and stored) {backfill * 1000:.0f} ms; uncached "
          f"{_runs(cold)}; after one session changed {_runs(changed)}; "
          f"unchanged: {FEED_REQUESTS} GETs p50 "
          f"{statistics.median(timings) * 1000:.1f} ms, p95 {_percentile(timings, .95) * 1000:.1f}"
          f" ms; 304 p50 {statistics.median(conditional) * 1000:.1f} ms "
          f"(target ≤ {FEED_TARGET * 1000:.0f} ms)")


def run(url: str, label: str) -> None:
    from app import create_app
    from app.extensions import db

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "SCHEDULE_HORIZON_DAYS": 400})
    print(f"{label}:")
    with app.app_context():
        units, hosts = _setup(app)
        bodies = _bodies(units, hosts)
        bench_expansion(bodies)
        bench_create(bodies)
        bench_feed(app, hosts[0])
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.sqlite3", "SQLite (file, WAL)")
    url = recreate_postgres(PG_URL)
    if url:
        run(url.replace("postgresql://", "postgresql+psycopg://"), "PostgreSQL")


if __name__ == "__main__":
    main()
