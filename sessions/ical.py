"""iCalendar (RFC 5545) feeds and invitations (RFC 5546) for reception sessions.

Pure functions: they take plain :class:`EventData` values and return bytes, so the
same code serves the public unit feed, the personal feed and the booking invite.

Every DTSTART/DTEND is written in local time with ``TZID=Asia/Ho_Chi_Minh`` and the
calendar carries the matching VTIMEZONE; DTSTAMP and LAST-MODIFIED are UTC as RFC 5545
requires. icalendar ends lines with CRLF and folds them at 75 octets (counting UTF-8
bytes, which matters for Vietnamese text).

The output is deterministic for the same input (no generated UIDs, no "now"), so
:func:`calendar_etag` gives a stable strong ETag.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # imported on first use: a web process may never build a calendar
    from icalendar import Event, Timezone, vCalAddress

TZID = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(TZID)
DEFAULT_PRODID = "-//Tiep cong dan truc tuyen//VI"
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
INVITE_METHODS = frozenset({"REQUEST", "CANCEL"})

# Vietnam has kept UTC+07:00 without daylight saving since 13 June 1975, so one
# STANDARD block from 1976 covers every session the application can hold.
_VTIMEZONE_FIRST_DATE = date(1976, 1, 1)
_VTIMEZONE_LAST_DATE = date(2200, 1, 1)


@dataclass(frozen=True)
class EventData:
    """One VEVENT: a reception session or a booking's slot.

    ``starts_at``, ``ends_at``, ``dtstamp`` and ``last_modified`` must be aware
    datetimes (any zone; they are converted). ``organizer`` is ``(address, name)``
    and ``attendees`` a tuple of ``(address, name)``; an address is an e-mail
    (written as ``mailto:``), an E.164 phone such as ``+84900000001`` (written as a
    ``tel:`` URI, RFC 3966) or a URI that already has a ``mailto:``/``tel:`` scheme.
    """

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    dtstamp: datetime
    sequence: int = 0
    status: str = "CONFIRMED"
    description: str = ""
    location: str = ""
    url: str = ""
    last_modified: datetime | None = None
    organizer: tuple[str, str] | None = None
    attendees: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "dtstamp", "last_modified"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"EventData.{name} must be timezone-aware")
        if self.ends_at < self.starts_at:
            raise ValueError("EventData.ends_at is before starts_at")
        if self.status not in STATUSES:
            raise ValueError(f"EventData.status must be one of {sorted(STATUSES)}")
        if self.sequence < 0:
            raise ValueError("EventData.sequence must not be negative")


def build_calendar(
    events: Iterable[EventData],
    *,
    name: str,
    method: str | None = None,
    prodid: str = DEFAULT_PRODID,
) -> bytes:
    """Serialise ``events`` as one VCALENDAR named ``name`` (X-WR-CALNAME).

    ``method`` is omitted for subscription feeds; invitations pass an iTIP method
    (see :func:`build_invite`). Cancelled events stay in the output with
    ``STATUS:CANCELLED`` so subscribed clients remove or strike them.

    The calendar is its head, each event's :func:`serialise_event` bytes and the
    closing line, so a feed may join VEVENTs serialised earlier and stored.
    """
    body = b"".join(serialise_event(event) for event in events)
    return calendar_head(name=name, method=method, prodid=prodid) + body + CALENDAR_END


CALENDAR_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def calendar_head(*, name: str, method: str | None = None,
                  prodid: str = DEFAULT_PRODID) -> bytes:
    """What comes before the first VEVENT: the calendar's properties and its VTIMEZONE."""
    calendar = _ical().Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(_vtimezone())
    return calendar.to_ical()[:-len(CALENDAR_END)]


def serialise_event(event: EventData) -> bytes:
    """``BEGIN:VEVENT`` … ``END:VEVENT`` CRLF of one event, as icalendar writes it."""
    return _vevent(event).to_ical()


# A feed takes a thousand fingerprints: one attrgetter call is a third of repr(event).
_EVENT_FIELDS = attrgetter(*(field.name for field in dataclasses.fields(EventData)))


def event_fingerprint(event: EventData) -> str:
    """A digest of everything :func:`serialise_event` writes for ``event``, and of the
    icalendar version that writes it: equal fingerprints mean equal bytes, so stored
    bytes whose fingerprint still matches need not be written again."""
    text = f"{_writer_version()}|{_EVENT_FIELDS(event)!r}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def _writer_version() -> str:
    return _ical().__version__


def build_invite(event: EventData, method: str) -> bytes:
    """Serialise one event as an iTIP invitation with ``METHOD:REQUEST`` or ``CANCEL``.

    The event must have an organizer and at least one attendee (RFC 5546 requires
    them for both methods). Each attendee is written with ``ROLE=REQ-PARTICIPANT``,
    ``PARTSTAT=NEEDS-ACTION`` and ``RSVP=FALSE``: the application, not the
    citizen's mail client, handles answers. A citizen registered without an e-mail
    is passed with their E.164 phone and becomes a ``tel:`` calendar address, a
    valid RFC 5545 cal-address that no client will try to e-mail.

    For ``CANCEL`` the event is written with ``STATUS:CANCELLED``. The caller must
    keep the UID of the original REQUEST and pass a strictly higher ``sequence``
    (e.g. the booking's revision counter), otherwise clients ignore the update.
    """
    if method not in INVITE_METHODS:
        raise ValueError(f"method must be one of {sorted(INVITE_METHODS)}")
    if event.organizer is None or not event.attendees:
        raise ValueError("an invitation needs an organizer and at least one attendee")
    if method == "CANCEL":
        event = dataclasses.replace(event, status="CANCELLED")
    return build_calendar([event], name=event.summary, method=method)


def calendar_etag(body: bytes) -> str:
    """A strong ETag for ``body``: the first 32 hex digits of its SHA-256, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def to_local(value: datetime) -> datetime:
    """``value`` (aware, any zone) in ``Asia/Ho_Chi_Minh``, to the second."""
    return value.astimezone(LOCAL_TZ).replace(microsecond=0)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _vevent(data: EventData) -> Event:
    """Build the VEVENT component for ``data``."""
    event = _ical().Event()
    event.add("uid", data.uid)
    event.add("dtstamp", _to_utc(data.dtstamp))
    event.add("last-modified", _to_utc(data.last_modified or data.dtstamp))
    event.add("sequence", data.sequence)
    event.add("status", data.status)
    event.add("summary", data.summary)
    event.add("dtstart", to_local(data.starts_at))
    event.add("dtend", to_local(data.ends_at))
    if data.description:
        event.add("description", data.description)
    if data.location:
        event.add("location", data.location)
    if data.url:
        event.add("url", data.url)
    if data.organizer is not None:
        event.add("organizer", _cal_address(*data.organizer))
    for address, display_name in data.attendees:
        attendee = _cal_address(address, display_name)
        attendee.params.update(
            {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"}
        )
        event.add("attendee", attendee)
    return event


def _cal_address(address: str, display_name: str) -> vCalAddress:
    """A cal-address URI for an e-mail, an E.164 phone or an existing URI."""
    address = address.strip()
    lowered = address.lower()
    if lowered.startswith(("mailto:", "tel:")):
        uri = address
    elif address.startswith("+"):
        uri = "tel:" + address
    else:
        uri = "mailto:" + address
    cal_address = _ical().vCalAddress(uri)
    if display_name:
        cal_address.params["CN"] = display_name
    return cal_address


def _vtimezone() -> Timezone:
    """A fresh VTIMEZONE component for :data:`TZID` (built once, then re-parsed)."""
    return _ical().Timezone.from_ical(_vtimezone_ical())


@lru_cache(maxsize=1)
def _vtimezone_ical() -> bytes:
    timezone = _ical().Timezone.from_tzid(
        TZID, first_date=_VTIMEZONE_FIRST_DATE, last_date=_VTIMEZONE_LAST_DATE
    )
    return timezone.to_ical()


def _ical():
    """The icalendar package, imported when the first calendar is built."""
    import icalendar

    return icalendar
