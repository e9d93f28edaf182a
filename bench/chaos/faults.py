"""The five faults, one at a time, each measured the same way (docs/reliability.md).

A phase starts a booking rush, injects the fault, ends it (restart, start, free), then
waits for recovery: both web processes healthy, every live client connected with its
own place agreeing with the host's view, and whatever the fault needs on top (the
outbox drained, the uploads retried). Then it counts, from the database and the SMS
sink, what was lost or doubled.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from types import SimpleNamespace

import requests
from sqlalchemy import create_engine, text

from .clients import Outcome, Rush
from .cluster import wait_until
from .seed import psycopg_url, queue_sms

RECOVERY_TARGET = 10.0
PDF = b"%PDF-1.7\n" + b"chaos " * 4000


class Ledger:
    """Reads the run's database: bookings of the rush session, the outbox, uploads."""

    def __init__(self, database_url: str):
        self.engine = create_engine(psycopg_url(database_url), pool_pre_ping=True)

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def bookings(self, session_id: int) -> dict[int, int]:
        """booking id -> citizen id, for the live bookings of a session."""
        return dict(self.rows("SELECT id, citizen_id FROM bookings WHERE session_id = :s "
                              "AND status NOT IN ('cancelled')", s=session_id))

    def pending_sms(self) -> int:
        return self.rows("SELECT count(*) FROM notifications WHERE channel = 'sms' AND "
                         "sent_at IS NULL AND failed_at IS NULL")[0][0]

    def sms(self) -> list:
        return self.rows("SELECT id, created_at, sent_at FROM notifications "
                         "WHERE channel = 'sms' ORDER BY id")


class Phase:
    """One fault's run and figures."""

    def __init__(self, ctx, name: str, rushers: int):
        self.ctx, self.name = ctx, name
        self.outcome, self.recovered = Outcome(), threading.Event()
        tokens = [ctx.rush_tokens.pop() for _ in range(min(rushers, len(ctx.rush_tokens)))]
        self.rush = Rush(ctx.site_urls, ctx.seeded["rush"]["session_id"], tokens,
                         self.outcome, self.recovered, interval=ctx.args.rush_interval)
        self.row = {"fault": name, "notes": []}
        self.before_sms = ctx.notification_figures()

    def begin(self) -> None:
        self.rush.start()
        time.sleep(1.0)  # the rush under way before the fault

    def recover(self, extra=lambda: True, timeout: float = 60) -> None:
        """Wait for recovery from now (the end of the fault)."""
        ctx = self.ctx
        took = wait_until(lambda: ctx.site.up("a") and ctx.site.up("b")
                          and ctx.room.settled() and extra(), timeout, step=0.05)
        self.row["recovery_s"] = took
        self.recovered.set()

    def finish(self) -> dict:
        ctx = self.ctx
        self.rush.join(120)
        ctx.booked.update(self.rush.booked)
        for name in ("a", "b"):  # after recovery: nothing but answers
            for path in ("/healthz", "/api/v1/units?level=province"):
                response = requests.get(ctx.site.url(name) + path, timeout=10)
                self.outcome.note(response.status_code, None, True)
        ctx.drain()
        places = ctx.room.places()
        booked = ctx.ledger.bookings(ctx.seeded["rush"]["session_id"])
        per_citizen: dict[int, int] = {}
        for citizen_id in booked.values():
            per_citizen[citizen_id] = per_citizen.get(citizen_id, 0) + 1
        given = set(self.rush.booked.values())
        sms = ctx.notification_figures()
        self.row.update(
            places_lost=places["lost"] + places["wrong"], places_duplicated=places["duplicated"],
            bookings_lost=len(given - set(booked)) + (len(self.rush.tokens)
                                                      - len(self.rush.booked)),
            bookings_doubled=sum(n - 1 for n in per_citizen.values() if n > 1),
            sms_lost=sms["lost"] - self.before_sms["lost"],
            sms_twice=sms["twice"] - self.before_sms["twice"],
            sms_reposted=sms["reposted"] - self.before_sms["reposted"],
            bookings=len(self.rush.booked), clean=self.outcome.clean,
            unclean=self.outcome.unclean, refused=self.outcome.refused,
            after=self.outcome.after, statuses=dict(self.outcome.statuses))
        outages = [o for c in ctx.room.everyone() for o in c.outages]
        self.row["reconnected"] = len(outages)
        self.row["longest_away_s"] = max(outages, default=0.0)
        ctx.room_outages_reset()
        return self.row


def kill_web(ctx) -> dict:
    """(1) SIGKILL of web process A (the host and half the citizens), restarted at once."""
    phase = Phase(ctx, "SIGKILL of web process A, restarted", ctx.args.rushers)
    phase.begin()
    ctx.site.kill("a")
    ctx.site.start("a")  # a supervisor (systemd Restart=always) starts it again
    phase.recover()
    row = phase.finish()
    row["saw"] = (f"{row['reconnected']} clients reconnected and re-joined by themselves "
                  f"(longest away {row['longest_away_s']:.1f} s, shown \"Đang kết nối lại…\")")
    return row


def stop_redis(ctx) -> dict:
    """(2) Redis stopped for ``--redis-seconds``, a call made meanwhile, Redis started."""
    phase = Phase(ctx, f"Redis stopped {ctx.args.redis_seconds:g} s", ctx.args.rushers)
    phase.begin()
    ctx.redis.stop()
    time.sleep(min(1.0, ctx.args.redis_seconds / 2))
    ack = ctx.room.host.call("call_next")  # the citizens on B cannot hear of it now
    time.sleep(max(ctx.args.redis_seconds - 1.0, 0))
    stale = ctx.room.places()["wrong"]
    ctx.redis.start()
    phase.recover()
    row = phase.finish()
    row["saw"] = (f"sockets stayed open; after a call during the outage (ticket "
                  f"{ack.get('ticket')}) {stale} citizens on B showed an old place until "
                  f"Redis was back and the places were re-sent")
    return row


def cut_postgres(ctx) -> dict:
    """(3) Every connection cut (pg_terminate_backend), then PostgreSQL restarted."""
    phase = Phase(ctx, "PostgreSQL connections cut, then restarted", ctx.args.rushers)
    phase.begin()
    cut = ctx.pg.terminate_backends()
    time.sleep(1.0)
    ctx.pg.restart()
    phase.recover()
    row = phase.finish()
    row["saw"] = (f"{cut} connections cut; bookers got {row['clean']} × 503 + Retry-After "
                  f"and {row['unclean']} other 5xx, and retried; live clients stayed "
                  f"connected")
    return row


def kill_scheduler(ctx) -> dict:
    """(4) SIGKILL of the scheduler in the middle of sending a backlog of SMS."""
    phase = Phase(ctx, "SIGKILL of the scheduler mid-dispatch", 0)
    ctx.site.kill("scheduler")
    ids = queue_sms(ctx.pg.url, ctx.args.messages, f"chaos-{time.time():.0f}")
    posts = ctx.sink.total_posts()
    ctx.site.start("scheduler")
    sent_some = wait_until(lambda: ctx.sink.total_posts() - posts >= len(ids) // 3, 60, 0.01)
    ctx.site.kill("scheduler")
    at_kill = ctx.sink.total_posts() - posts
    restarted = time.monotonic()
    ctx.site.start("scheduler")
    # Recovered: the new scheduler is sending. The rest of the backlog takes as long as
    # the gateway takes; that time is reported beside it, not held against recovery.
    phase.recover(extra=lambda: ctx.sink.total_posts() - posts > at_kill)
    drained = wait_until(lambda: ctx.ledger.pending_sms() == 0, 120, step=0.1)
    drained = None if drained is None else time.monotonic() - restarted
    row = phase.finish()
    row["drained_s"] = drained
    row["saw"] = (f"{len(ids)} SMS queued; killed after {at_kill} POSTs "
                  f"({'' if sent_some is not None else 'not '}mid-dispatch); the whole "
                  f"backlog delivered {_seconds(drained)} after the restart")
    return row


def fill_disk(ctx) -> dict:
    """(5) The upload disk full during attachment and recording uploads, then freed."""
    if not ctx.disk.mounted:
        return {"fault": "upload disk full", "skipped": "needs root to mount a tmpfs"}
    phase = Phase(ctx, "upload disk full", ctx.args.rushers)
    phase.begin()
    if not ctx.booked:  # run alone: this rush's bookings receive the attachments
        phase.rush.join(120)
        ctx.booked.update(phase.rush.booked)
    uploads = Uploads(ctx)
    uploads.send_all(phase.outcome)  # before: all stored
    ctx.disk.fill()
    failed = uploads.send_all(phase.outcome)
    ctx.disk.free()
    phase.recover(extra=lambda: not uploads.send_all(phase.outcome, only=failed, after=True))
    row = phase.finish()
    partial, damaged = uploads.audit()
    row["files_partial_or_damaged"] = partial + damaged
    row["saw"] = (f"{len(failed)} uploads refused while full ({row['clean']} × 507 + "
                  f"Retry-After, {row['unclean']} other 5xx), then sent again: "
                  f"{len(failed) - len([i for i in failed if i not in uploads.done])} stored; "
                  f"{partial} partial files, {damaged} damaged")
    return row


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


FAULTS = {"web": kill_web, "redis": stop_redis, "postgres": cut_postgres,
          "scheduler": kill_scheduler, "disk": fill_disk}


class Uploads:
    """Attachments by citizens (API, bearer) and recording chunks by the host (web
    session + CSRF token, as the console's recorder sends them)."""

    def __init__(self, ctx):
        self.ctx, self.done = ctx, set()
        url = ctx.site.url("a")
        self.bookings = [(token, booking_id) for token, booking_id
                         in list(ctx.booked.items())[:3]]
        self.host = _web_session(url, ctx.seeded["host_email"], ctx.seeded["password"])
        console = self.host.get(f"{url}/live/{ctx.seeded['live']['session_id']}/host",
                                timeout=10)
        if console.cookies.get("session"):  # the CSRF secret, kept in the session
            self.host.headers["Cookie"] = f"session={console.cookies.get('session')}"
        self.csrf = re.search(r'data-csrf="([^"]+)"', console.text).group(1)
        self.take = f"chaos{int(time.time())}"
        self.round = 0

    def items(self) -> list[tuple]:
        """One more attachment per booking and two more recording chunks."""
        self.round += 1
        items = [("attachment", token, booking, self.round) for token, booking in self.bookings]
        return items + [("chunk", None, 2 * self.round + i, self.round) for i in (0, 1)]

    def send_all(self, outcome: Outcome, only=None, after: bool = False) -> list[tuple]:
        """Send a new round of uploads (or those in ``only`` not yet stored); returns the
        refused ones. ``after``: the fault is over, a 5xx now counts against the site."""
        refused = []
        for item in only if only is not None else self.items():
            if item in self.done:
                continue
            response = self._send(item)
            outcome.note(response.status_code, response.headers.get("Retry-After"), after)
            if response.status_code in (200, 201):
                self.done.add(item)
            else:
                refused.append(item)
        return refused

    def _send(self, item):
        kind, token, key, _round = item
        url = self.ctx.site.url("a")
        if kind == "attachment":
            return requests.post(f"{url}/api/v1/bookings/{key}/attachments", timeout=15,
                                 headers={"Authorization": f"Bearer {token}"},
                                 files={"file": ("don.pdf", PDF, "application/pdf")})
        live = self.ctx.seeded["live"]
        return self.host.post(
            f"{url}/live/{live['session_id']}/recordings/{live['booking_ids'][0]}/chunks"
            f"?take={self.take}&index={key}", data=b"\x1aE\xdf\xa3" + b"v" * 300_000,
            headers={"X-CSRFToken": self.csrf, "Content-Type": "application/octet-stream"},
            timeout=15)

    def audit(self) -> tuple[int, int]:
        """(files that are no stored attachment nor a whole chunk, stored files whose
        SHA-256 differs from the database's)."""
        root = self.ctx.disk.path
        stored = dict(self.ctx.ledger.rows("SELECT stored_name, sha256 FROM attachments"))
        partial = damaged = 0
        for path in root.rglob("*"):
            if not path.is_file() or path == self.ctx.disk.filler:
                continue
            if path.name in stored:
                damaged += hashlib.sha256(path.read_bytes()).hexdigest() != stored[path.name]
            elif not (path.parent.name.endswith(".parts") and path.name.isdigit()
                      and path.stat().st_size == 300_004):
                partial += 1
        return partial, damaged


def _web_session(url: str, email: str, password: str) -> requests.Session:
    """Signed in through the login form. Production cookies are Secure, which requests
    keeps from plain http: the session cookie is carried by hand."""
    session = requests.Session()

    def carry(response) -> None:
        cookie = response.cookies.get("session")
        if cookie:
            session.cookies.clear()
            session.headers["Cookie"] = f"session={cookie}"

    page = session.get(f"{url}/login", timeout=10)
    carry(page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{url}/login", data={"username": email, "password": password,
                                                "csrf_token": token},
                          allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise RuntimeError(f"host sign-in failed: HTTP {answer.status_code}")
    carry(answer)
    return session


def notification_figures(ledger: Ledger, sink) -> dict:
    """SMS of the outbox against the sink: lost (sent or due, never delivered), twice
    (delivered more than once), reposted (POSTed again under the same key)."""
    try:
        from app.notify.senders import idempotency_key
    except ImportError:  # a version without keys: the sink counts by recipient and text
        return _figures_without_keys(ledger, sink)
    lost = twice = reposted = 0
    for row in ledger.sms():
        key = idempotency_key(SimpleNamespace(id=row.id, created_at=row.created_at))
        delivered, posts = sink.deliveries.get(key, 0), sink.posts.get(key, 0)
        lost += delivered == 0
        twice += delivered > 1
        reposted += max(posts - 1, 0)
    return {"lost": lost, "twice": twice, "reposted": reposted}



def _figures_without_keys(ledger: Ledger, sink) -> dict:
    """For comparing with a version that sent no idempotency key (docs/reliability.md)."""
    delivered = {key: n for key, n in sink.deliveries.items() if key.startswith("no-key:")}
    due = ledger.rows("SELECT count(*) FROM notifications WHERE channel = 'sms'")[0][0]
    return {"lost": max(due - len(delivered), 0),
            "twice": sum(1 for n in delivered.values() if n > 1), "reposted": 0}
