"""iCalendar feeds: a unit's published sessions, and a person's own sessions or bookings.

Events are built as plain EventData from the database and written by
:mod:`.vevent` (icalendar's output, several times faster). Each serialised VEVENT is
kept in an in-process cache keyed by its EventData, and a unit feed whose sessions have not changed (same
fingerprint) is served again without reading them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from sessions.ical import EventData, build_calendar, calendar_etag

from ..bookings.models import Booking
from ..extensions import db
from ..schedules.models import ReceptionSession
from ..schedules.notices import slot_end, when
from ..schedules.receptions import KIND_LABELS, MODE_LABELS, unit_scope_ids
from ..timeutil import utcnow
from ..units.models import Unit
from .vevent import supports, vevent_bytes

PAST_DAYS = 30
_CACHE_SIZE = 64
_EVENT_CACHE_SIZE = 50_000
_events: OrderedDict[EventData, bytes] = OrderedDict()
_recent: OrderedDict[tuple, tuple[float, Feed]] = OrderedDict()
FEED_TTL = 300
_lock = threading.Lock()
# Bookings that are no longer going to happen stay in the feed, cancelled.
CANCELLED_BOOKINGS = ("cancelled", "refused", "redirected")


@dataclass(frozen=True)
class Feed:
    """A serialised calendar with its validators."""

    body: bytes
    etag: str
    last_modified: datetime  # aware UTC


def uid_domain() -> str:
    """The right-hand side of every UID: the site's host, stable across requests."""
    return urlparse(current_app.config.get("SITE_URL") or "").hostname or "tiepcongdan.local"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


class _Texts:
    """The translated pieces of one feed, each looked up once per distinct value.

    gettext costs about as much as writing the event itself, and a feed repeats the
    same few labels a thousand times.
    """

    def __init__(self):
        self._memo: dict = {}

    def get(self, key: tuple, make):
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = make()
        return text

    def session_url(self, session_id: int) -> str:
        # url_for once per feed: the rule is fixed, only the id changes.
        head, tail = self.get(("url",), lambda: url_for(
            "schedules.session_detail", session_id=_URL_PROBE, _external=True)
            .split(str(_URL_PROBE)))
        return f"{head}{session_id}{tail}"


_URL_PROBE = 987654321


def _summary(reception: ReceptionSession, texts: _Texts) -> str:
    host = reception.hosted_by.full_name
    kind = texts.get(("kind", reception.kind),
                     lambda: str(KIND_LABELS.get(reception.kind, reception.kind)))
    text = f"{kind}: {host} — {reception.unit.name}"
    if reception.is_cancelled:
        return _("[Đã hủy] %(text)s", text=text)
    return text


def _description(reception: ReceptionSession, texts: _Texts) -> str:
    lines = [texts.get(("mode", reception.mode), lambda: _(
        "Hình thức: %(mode)s", mode=MODE_LABELS.get(reception.mode, reception.mode)))]
    if reception.acting_host is not None:
        lines.append(_("Chủ trì thay: %(deputy)s (%(auth)s)", deputy=reception.acting_host
                       .full_name, auth=reception.deputy_authorisation))
    if reception.kind == "adhoc" and reception.reason:
        lines.append(_("Lý do tiếp đột xuất: %(reason)s", reason=reception.reason))
    if reception.previous_starts_at is not None:
        lines.append(_("Dời từ %(old)s sang %(new)s", old=when(reception.previous_starts_at),
                       new=when(reception.starts_at)))
    if reception.is_cancelled:
        lines.append(_("Lý do hủy: %(reason)s", reason=reception.cancel_reason))
    return "\n".join(lines)


def _location(reception: ReceptionSession, texts: _Texts) -> str:
    return reception.location or texts.get(
        ("where", reception.mode), lambda: str(MODE_LABELS.get(reception.mode, "")))


def session_event(reception: ReceptionSession, domain: str,
                  texts: _Texts | None = None) -> EventData:
    """The VEVENT of a published session (UID ``session-<id>@<domain>``)."""
    texts = texts or _Texts()
    return EventData(
        uid=f"session-{reception.id}@{domain}", summary=_summary(reception, texts),
        starts_at=_aware(reception.starts_at), ends_at=_aware(reception.ends_at),
        dtstamp=_aware(reception.updated_at or reception.published_at),
        sequence=reception.sequence,
        status="CANCELLED" if reception.is_cancelled else "CONFIRMED",
        description=_description(reception, texts), location=_location(reception, texts),
        url=texts.session_url(reception.id))


def booking_event(booking: Booking, domain: str, texts: _Texts | None = None) -> EventData:
    """The VEVENT of a citizen's booking: their slot, cancelled when it will not happen."""
    texts = texts or _Texts()
    reception = booking.reception
    cancelled = booking.status in CANCELLED_BOOKINGS or reception.is_cancelled
    status = "CANCELLED" if cancelled else (
        "TENTATIVE" if booking.status in ("pending", "waitlisted") else "CONFIRMED")
    start = booking.slot_start or reception.starts_at
    stamp = max(booking.updated_at or booking.created_at, reception.updated_at)
    return EventData(
        uid=f"booking-{booking.id}@{domain}",
        summary=_("Lượt tiếp công dân %(code)s: %(title)s", code=booking.tracking_code,
                  title=_summary(reception, texts)),
        starts_at=_aware(start), ends_at=_aware(slot_end(booking, reception)),
        dtstamp=_aware(stamp), sequence=booking.ics_sequence + reception.sequence,
        status=status, description=_description(reception, texts),
        location=_location(reception, texts), url=texts.session_url(reception.id))


def clear_cache() -> None:
    """Forget every serialised event and feed (benchmarks; tests that rename people)."""
    with _lock:
        _events.clear()
        _recent.clear()


_END = b"END:VCALENDAR\r\n"
_BEGIN_EVENT = b"\r\nBEGIN:VEVENT\r\n"


def _chunks(body: bytes) -> list[bytes]:
    """The serialised VEVENTs of a calendar, in order, each ending in CRLF.

    Text values escape their line breaks, so ``BEGIN:VEVENT`` at the start of a line
    only ever opens an event.
    """
    parts = body[:-len(_END)].split(_BEGIN_EVENT)[1:]
    # The separator took the CRLF ending each event but the last.
    return [b"BEGIN:VEVENT\r\n" + part + (b"" if i == len(parts) - 1 else b"\r\n")
            for i, part in enumerate(parts)]


def _serialise(events: list[EventData], name: str) -> Feed:
    """The calendar of ``events``, byte for byte what build_calendar gives, built from
    cached serialised events: after one session changes, only that one is serialised."""
    with _lock:
        missing = [e for e in dict.fromkeys(events) if e not in _events]
    fresh = {e: vevent_bytes(e) for e in missing if supports(e)}
    others = [e for e in missing if e not in fresh]
    if others:
        fresh.update(zip(others, _chunks(build_calendar(others, name=name)), strict=True))
    head = build_calendar([], name=name)[:-len(_END)]
    with _lock:
        chunks = [fresh.get(e) or _events[e] for e in events]
        _events.update(fresh)
        for event in events:
            _events.move_to_end(event)
        while len(_events) > _EVENT_CACHE_SIZE:
            _events.popitem(last=False)
    body = head + b"".join(chunks) + _END
    stamps = [e.last_modified or e.dtstamp for e in events]
    last = max(stamps, default=datetime(2020, 1, 1, tzinfo=UTC))
    return Feed(body, calendar_etag(body), last.replace(microsecond=0))


def _with_people(query):
    return query.options(selectinload(ReceptionSession.host),
                         selectinload(ReceptionSession.acting_host),
                         selectinload(ReceptionSession.unit))


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
    receptions = db.session.scalars(_with_people(select(ReceptionSession).where(
        *_unit_window(unit, now))).order_by(ReceptionSession.starts_at, ReceptionSession.id))
    domain, texts = uid_domain(), _Texts()
    events = [session_event(r, domain, texts) for r in receptions]
    feed = _serialise(events, _("Lịch tiếp công dân — %(unit)s", unit=unit.name))
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
    domain, texts = uid_domain(), _Texts()
    events = []
    if user.has_role("host", "deputy", "secretary"):
        events += [session_event(r, domain, texts) for r in _staff_sessions(user, since)]
    bookings = db.session.scalars(
        select(Booking).join(ReceptionSession, Booking.session_id == ReceptionSession.id)
        .where(Booking.citizen_id == user.id, ReceptionSession.starts_at >= since)
        .options(selectinload(Booking.reception).selectinload(ReceptionSession.host),
                 selectinload(Booking.reception).selectinload(ReceptionSession.unit),
                 selectinload(Booking.reception).selectinload(ReceptionSession.acting_host))
        .order_by(ReceptionSession.starts_at, Booking.id))
    events += [booking_event(b, domain, texts) for b in bookings]
    return _serialise(events, _("Lịch tiếp công dân của %(name)s", name=user.full_name))
