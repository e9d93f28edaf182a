"""The VEVENT of a session and of a booking, one builder each, for every calendar.

The unit and personal feeds and a booking's invitation (``invite.ics``) take their
events from here, so a booking has one UID and one SEQUENCE wherever a calendar client
meets it (CONTRACT §6).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from sessions.ical import EventData

from ..bookings.messages import external_url
from ..bookings.models import Booking, BookingStatus
from ..schedules.models import ReceptionSession, SessionKind
from ..schedules.notices import slot_end, when
from ..schedules.receptions import KIND_LABELS, MODE_LABELS

# Bookings that are no longer going to happen stay in calendars, cancelled.
CANCELLED_BOOKINGS = (BookingStatus.CANCELLED, BookingStatus.REFUSED, BookingStatus.REDIRECTED)
# Bookings not yet confirmed show as tentative.
TENTATIVE_BOOKINGS = (BookingStatus.PENDING, BookingStatus.WAITLISTED)
_URL_PROBE = 987654321


def uid_domain() -> str:
    """The right-hand side of every UID: the host of SITE_URL, and nothing else, so that
    a UID never changes with the mail sender or the address a request came in by."""
    return urlsplit(current_app.config.get("SITE_URL") or "").hostname or "tiepcongdan.local"


class Texts:
    """The translated pieces of one calendar, each looked up once per distinct value.

    gettext costs about as much as building the event itself, and a feed repeats the
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
        # Built once per calendar: the rule is fixed, only the id changes.
        head, tail = self.get(("url",), lambda: external_url(
            "schedules.session_detail", session_id=_URL_PROBE).split(str(_URL_PROBE)))
        return f"{head}{session_id}{tail}"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _summary(reception: ReceptionSession, texts: Texts) -> str:
    host = reception.hosted_by.full_name
    kind = texts.get(("kind", reception.kind),
                     lambda: str(KIND_LABELS.get(reception.kind, reception.kind)))
    text = f"{kind}: {host} — {reception.unit.name}"
    if reception.is_cancelled:
        return _("[Đã hủy] %(text)s", text=text)
    return text


def _description(reception: ReceptionSession, texts: Texts) -> str:
    lines = [texts.get(("mode", reception.mode), lambda: _(
        "Hình thức: %(mode)s", mode=MODE_LABELS.get(reception.mode, reception.mode)))]
    if reception.acting_host is not None:
        lines.append(_("Chủ trì thay: %(deputy)s (%(auth)s)", deputy=reception.acting_host
                       .full_name, auth=reception.deputy_authorisation))
    if reception.kind == SessionKind.ADHOC and reception.reason:
        lines.append(_("Lý do tiếp đột xuất: %(reason)s", reason=reception.reason))
    if reception.previous_starts_at is not None:
        lines.append(_("Dời từ %(old)s sang %(new)s", old=when(reception.previous_starts_at),
                       new=when(reception.starts_at)))
    if reception.is_cancelled:
        lines.append(_("Lý do hủy: %(reason)s", reason=reception.cancel_reason))
    return "\n".join(lines)


def _location(reception: ReceptionSession, texts: Texts) -> str:
    return reception.location or texts.get(
        ("where", reception.mode), lambda: str(MODE_LABELS.get(reception.mode, "")))


def session_event(reception: ReceptionSession, domain: str | None = None,
                  texts: Texts | None = None) -> EventData:
    """The VEVENT of a published session (UID ``session-<id>@<domain>``)."""
    texts = texts or Texts()
    return EventData(
        uid=f"session-{reception.id}@{domain or uid_domain()}",
        summary=_summary(reception, texts),
        starts_at=_aware(reception.starts_at), ends_at=_aware(reception.ends_at),
        dtstamp=_aware(reception.updated_at or reception.published_at),
        sequence=reception.sequence,
        status="CANCELLED" if reception.is_cancelled else "CONFIRMED",
        description=_description(reception, texts), location=_location(reception, texts),
        url=texts.session_url(reception.id))


def booking_event(booking: Booking, domain: str | None = None,
                  texts: Texts | None = None) -> EventData:
    """The VEVENT of a citizen's booking: their slot, cancelled when it will not happen.

    SEQUENCE is the booking's own revision counter, which every change a calendar must
    show raises (its time, its status, the session moved or cancelled); adding the
    session's counter to it would fall when the booking moves to a session changed
    fewer times, and clients ignore an update with a lower SEQUENCE.
    """
    texts = texts or Texts()
    reception = booking.reception
    cancelled = booking.status in CANCELLED_BOOKINGS or reception.is_cancelled
    status = "CANCELLED" if cancelled else (
        "TENTATIVE" if booking.status in TENTATIVE_BOOKINGS else "CONFIRMED")
    start = booking.slot_start or reception.starts_at
    stamp = max(booking.updated_at or booking.created_at, reception.updated_at)
    return EventData(
        uid=f"booking-{booking.id}@{domain or uid_domain()}",
        summary=_("Lượt tiếp công dân %(code)s: %(title)s", code=booking.tracking_code,
                  title=_summary(reception, texts)),
        starts_at=_aware(start), ends_at=_aware(slot_end(booking, reception)),
        dtstamp=_aware(stamp), sequence=booking.ics_sequence,
        status=status, description=_description(reception, texts),
        location=_location(reception, texts), url=texts.session_url(reception.id))
