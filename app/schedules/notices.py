"""Messages to citizens when a session they booked moves, is cancelled or changes host."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from ..notify.facts import booking_facts
from ..notify.services import queue_notification
from ..timeutil import to_local


def when(moment: datetime | None) -> str:
    """``08:00 ngày 16/02/2027`` for a stored UTC time."""
    local = to_local(moment)
    return local.strftime("%H:%M %d/%m/%Y") if local else ""


def _slot_time(booking, reception) -> datetime:
    return booking.slot_start or reception.starts_at


def _title(reception) -> str:
    host = reception.hosted_by
    unit = reception.unit
    return " — ".join(x for x in (getattr(host, "full_name", ""), getattr(unit, "name", "")) if x)


def notify_rescheduled(booking, reception, old_start: datetime, *,
                       joining: Sequence[str] = (), calendar: str = "") -> None:
    """Tell the citizen of an open booking the new time of a moved session.

    ``joining`` (lines on how to join) and ``calendar`` (the e-mail's invitation) are
    the booking's, given by app/bookings/occupants.py.
    """
    citizen = booking.citizen
    with force_locale(citizen.locale or "vi"):
        subject = _("Buổi tiếp công dân đã được dời lịch")
        if booking.slot_start is None and booking.takes_a_slot:
            slot = _("Lượt của bạn chưa có khung giờ mới; cán bộ sẽ liên hệ để sắp xếp.")
        else:
            slot = _("Thời gian dự kiến của lượt bạn: %(time)s.",
                     time=when(_slot_time(booking, reception)))
        body = "\n".join([
            _("Buổi tiếp %(title)s được dời từ %(old)s sang %(new)s.", title=_title(reception),
              old=when(old_start), new=when(reception.starts_at)),
            slot,
            _("Mã vụ việc: %(code)s.", code=booking.tracking_code),
            *joining,
        ])
    queue_notification(citizen, "session_rescheduled", subject, body, calendar=calendar,
                       dedupe_key=f"session-moved:{reception.id}:{reception.sequence}:"
                                  f"{booking.id}",
                       facts=booking_facts(booking, "session_rescheduled", reception=reception,
                                           old_start=old_start))


def notify_cancelled(booking, reception, reason: str, *, joining: Sequence[str] = (),
                     calendar: str = "") -> None:
    """Tell the citizen that the session of their booking is cancelled, and why.

    ``calendar`` is the e-mail's invitation (METHOD:CANCEL), given by
    app/bookings/occupants.py; a cancelled booking has nothing to join.
    """
    citizen = booking.citizen
    with force_locale(citizen.locale or "vi"):
        subject = _("Buổi tiếp công dân đã bị hủy")
        body = "\n".join([
            _("Buổi tiếp %(title)s lúc %(time)s đã bị hủy.", title=_title(reception),
              time=when(reception.starts_at)),
            _("Lý do: %(reason)s", reason=reason),
            _("Lượt đặt %(code)s đã được hủy; bạn có thể đặt lịch vào buổi tiếp khác.",
              code=booking.tracking_code),
        ])
    queue_notification(citizen, "session_cancelled", subject, body, calendar=calendar,
                       dedupe_key=f"session-cancelled:{reception.id}:{booking.id}",
                       facts=booking_facts(booking, "session_cancelled", reception=reception))


def notify_deputy(booking, reception) -> None:
    """Tell the citizen who will host in the chairman's place."""
    citizen = booking.citizen
    with force_locale(citizen.locale or "vi"):
        subject = _("Thay đổi người chủ trì buổi tiếp công dân")
        if reception.acting_host is not None:
            line = _("Buổi tiếp lúc %(time)s do %(deputy)s chủ trì thay %(host)s (%(auth)s).",
                     time=when(reception.starts_at), deputy=reception.acting_host.full_name,
                     host=reception.host.full_name, auth=reception.deputy_authorisation)
        else:
            line = _("Buổi tiếp lúc %(time)s do %(host)s chủ trì như đã công bố.",
                     time=when(reception.starts_at), host=reception.host.full_name)
        body = "\n".join([line, _("Mã vụ việc: %(code)s.", code=booking.tracking_code)])
    queue_notification(citizen, "session_deputy", subject, body,
                       dedupe_key=f"session-deputy:{reception.id}:{reception.sequence}:"
                                  f"{booking.id}",
                       facts=booking_facts(booking, "session_deputy", reception=reception))


def slot_end(booking, reception) -> datetime:
    """End of the booking's slot (the session's end when it has no slot)."""
    if booking.slot_start is None:
        return reception.ends_at
    return booking.slot_start + timedelta(minutes=reception.slot_minutes)
