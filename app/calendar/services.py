"""iCalendar feeds: a unit's published sessions, and a person's own sessions or bookings.

Events are built by :mod:`.events` and written by icalendar (``sessions.ical``), the only
writer. Each session keeps the VEVENT last written for it with the fingerprint of the
event it came from (``ics_vevent``, ``ics_fingerprint``), so a cold feed builds its
events (cheap), compares fingerprints and joins the stored bytes between the calendar's
head and end: only sessions whose event changed since (times, status, host, names,
anything the VEVENT shows) are written again, and stored for the next read. Nothing
writes the column when a session changes, so no change can be missed; a session
never read by a feed is never serialised. A unit feed whose sessions have not changed
is also served again from memory for FEED_TTL seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload, undefer_group

from sessions.ical import (
    CALENDAR_END,
    EventData,
    calendar_etag,
    calendar_head,
    event_fingerprint,
    serialise_event,
)

from ..bookings.models import Booking
from ..extensions import db
from ..schedules.models import ReceptionSession
from ..schedules.receptions import unit_scope_ids
from ..timeutil import utcnow
from ..units.models import Unit
from .events import Texts, booking_event, session_event, uid_domain

PAST_DAYS = 30
_CACHE_SIZE = 64
_recent: OrderedDict[tuple, tuple[float, Feed]] = OrderedDict()
FEED_TTL = 300
_lock = threading.Lock()
_SESSIONS = ReceptionSession.__table__


@dataclass(frozen=True)
class Feed:
    """A serialised calendar with its validators."""

    body: bytes
    etag: str
    last_modified: datetime  # aware UTC


def clear_cache() -> None:
    """Forget every feed kept in memory (benchmarks; tests that rename people)."""
    with _lock:
        _recent.clear()


def _session_chunks(receptions: list[ReceptionSession], events: list[EventData]) -> list[bytes]:
    """Each session's VEVENT: the stored bytes while their fingerprint matches the
    event, else icalendar's, stored for the next read.

    Only the default language is stored: a feed asked for in English is written each
    time it is not in memory, rather than overwriting the Vietnamese bytes that nearly
    every reader gets (and having them overwritten back).
    """
    storing = str(get_locale()) == current_app.config["BABEL_DEFAULT_LOCALE"]
    chunks, stale = [], []
    for reception, event in zip(receptions, events, strict=True):
        mark = event_fingerprint(event) if storing else None
        if mark is not None and reception.ics_fingerprint == mark and reception.ics_vevent:
            chunks.append(reception.ics_vevent.encode())
            continue
        chunks.append(serialise_event(event))
        if mark is not None:
            stale.append({"row": reception.id, "vevent": chunks[-1].decode(), "mark": mark})
    _store(stale)
    return chunks


def _store(rows: list[dict]) -> None:
    """Write the sessions' new VEVENTs; the caller's door commits.

    updated_at is written back unchanged: it is the events' DTSTAMP, and storing the
    bytes changes nothing a calendar shows. Rows go in id order, one lock order for
    two feeds storing the same sessions at once.
    """
    if not rows:
        return
    rows.sort(key=lambda row: row["row"])
    db.session.execute(
        update(_SESSIONS).where(_SESSIONS.c.id == bindparam("row"))
        .values(ics_vevent=bindparam("vevent"), ics_fingerprint=bindparam("mark"),
                updated_at=_SESSIONS.c.updated_at), rows)


def _feed(events: list[EventData], chunks: list[bytes], name: str) -> Feed:
    """The calendar named ``name`` made of ``chunks``, the VEVENTs of ``events``."""
    body = calendar_head(name=name) + b"".join(chunks) + CALENDAR_END
    stamps = [e.last_modified or e.dtstamp for e in events]
    last = max(stamps, default=datetime(2020, 1, 1, tzinfo=UTC))
    return Feed(body, calendar_etag(body), last.replace(microsecond=0))


def _with_people(query):
    return query.options(selectinload(ReceptionSession.host),
                         selectinload(ReceptionSession.acting_host),
                         selectinload(ReceptionSession.unit), undefer_group("ics"))


def _unit_window(unit: Unit, now: datetime):
    return (ReceptionSession.unit_id == unit.id, ReceptionSession.published_at <= now,
            ReceptionSession.starts_at >= now - timedelta(days=PAST_DAYS))


def _unit_fingerprint(unit: Unit, now: datetime) -> tuple:
    """One aggregate row that changes whenever a session of the feed changes: added,
    removed (count, ids), edited (updated_at is bumped on every update) or re-sequenced."""
    return tuple(db.session.execute(select(
        func.count(ReceptionSession.id), func.max(ReceptionSession.updated_at),
        func.sum(ReceptionSession.id), func.sum(ReceptionSession.sequence))
        .where(*_unit_window(unit, now))).one())


def unit_feed(unit: Unit) -> Feed:
    """Published sessions of exactly ``unit`` from 30 days ago onwards, cancelled ones too.

    A feed already built for the same sessions (same fingerprint, same site address and
    language) is served again for up to FEED_TTL seconds without reading the sessions:
    names of people are the only inputs not in the fingerprint, and they rarely change.
    """
    now = utcnow()
    key = ("unit", unit.id, unit.name, request.url_root, str(get_locale()),
           _unit_fingerprint(unit, now))
    with _lock:
        hit = _recent.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    receptions = list(db.session.scalars(_with_people(select(ReceptionSession).where(
        *_unit_window(unit, now))).order_by(ReceptionSession.starts_at, ReceptionSession.id)))
    domain, texts = uid_domain(), Texts()
    events = [session_event(r, domain, texts) for r in receptions]
    feed = _feed(events, _session_chunks(receptions, events),
                 _("Lịch tiếp công dân — %(unit)s", unit=unit.name))
    with _lock:
        _recent[key] = (time.monotonic() + FEED_TTL, feed)
        while len(_recent) > _CACHE_SIZE:
            _recent.popitem(last=False)
    return feed


def _staff_sessions(user, since: datetime) -> list[ReceptionSession]:
    clauses = [ReceptionSession.host_id == user.id, ReceptionSession.acting_host_id == user.id]
    if user.has_role("secretary"):
        units = unit_scope_ids(user, "secretary")
        clauses.append(ReceptionSession.unit_id.in_(list(units)) if units is not None
                       else ReceptionSession.id.isnot(None))
    query = _with_people(select(ReceptionSession).where(
        or_(*clauses), ReceptionSession.starts_at >= since,
        ReceptionSession.published_at <= utcnow()))
    return list(db.session.scalars(query.order_by(ReceptionSession.starts_at)))


def personal_feed(user) -> Feed:
    """A person's calendar: a citizen's bookings; the sessions a host hosts (also as a
    deputy); the sessions of a secretary's units."""
    since = utcnow() - timedelta(days=PAST_DAYS)
    domain, texts = uid_domain(), Texts()
    receptions = (_staff_sessions(user, since) if user.has_role("host", "deputy", "secretary")
                  else [])
    events = [session_event(r, domain, texts) for r in receptions]
    chunks = _session_chunks(receptions, events)
    bookings = db.session.scalars(
        select(Booking).join(ReceptionSession, Booking.session_id == ReceptionSession.id)
        .where(Booking.citizen_id == user.id, ReceptionSession.starts_at >= since)
        .options(selectinload(Booking.reception).selectinload(ReceptionSession.host),
                 selectinload(Booking.reception).selectinload(ReceptionSession.unit),
                 selectinload(Booking.reception).selectinload(ReceptionSession.acting_host))
        .order_by(ReceptionSession.starts_at, Booking.id))
    booked = [booking_event(b, domain, texts) for b in bookings]
    return _feed(events + booked, chunks + [serialise_event(e) for e in booked],
                 _("Lịch tiếp công dân của %(name)s", name=user.full_name))
