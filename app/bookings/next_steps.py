"""What a citizen can expect after booking: the short timeline of the done page and the
receipt (triage, messages, connection test, waiting room)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import gettext as _

from sessions.rules import CONNECT_BEFORE_MINUTES, LINK_TEST_WORKING_DAYS, NOTIFY_WORKING_DAYS

from ..schedules.working_days import work_calendar
from ..timeutil import LOCAL_TZ, to_local, to_utc_naive, utcnow
from .models import Booking, BookingStatus
from .slot_holds import ONLINE_MODES

#: How early a citizen who joins from a reception point comes to it.
POINT_EARLY_MINUTES = 15


def _start_of(day: date) -> datetime:
    """Local midnight of ``day`` as naive UTC (what the ``localdt`` filter shows)."""
    return to_utc_naive(datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ))


def _item(text: str, at: datetime | None = None, fmt: str = "dd/MM/yyyy",
          link: tuple[str, str] | None = None) -> dict:
    return {"text": text, "at": at, "fmt": fmt, "link": link}


def next_steps(booking: Booking, now: datetime | None = None) -> list[dict]:
    """The steps ahead of an open booking, in order; each ``{"text", "at", "fmt", "link"}``
    (``at`` a naive UTC moment to show with ``fmt``, ``link`` a (label, url) pair)."""
    if not booking.is_open:
        return []
    now = now or utcnow()
    reception = booking.reception
    starts = booking.slot_start or reception.starts_at
    session_day = to_local(reception.starts_at).date()
    calendar = work_calendar()
    items = []
    if booking.status == BookingStatus.PENDING:
        answer_by = calendar.add_working_days(session_day, -NOTIFY_WORKING_DAYS)
        if answer_by >= to_local(now).date():
            items.append(_item(_("Ban tiếp công dân xem xét đăng ký và báo kết quả cho bạn "
                                 "qua tin nhắn SMS hoặc Zalo, chậm nhất %(n)s ngày làm việc "
                                 "trước buổi tiếp.", n=NOTIFY_WORKING_DAYS),
                               _start_of(answer_by)))
        else:
            items.append(_item(_("Ban tiếp công dân xem xét đăng ký và báo kết quả cho bạn "
                                 "qua tin nhắn SMS hoặc Zalo trước buổi tiếp.")))
    elif booking.status == BookingStatus.WAITLISTED:
        items.append(_item(_("Khi có người hủy lịch, bạn được xếp vào khung giờ trống và "
                             "nhận tin nhắn SMS hoặc Zalo.")))
    else:
        items.append(_item(_("Đăng ký đã được tiếp nhận. Bạn nhận tin nhắn SMS hoặc Zalo "
                             "xác nhận lịch hẹn.")))
    items.append(_item(_("Tin nhắn nhắc lịch một ngày trước buổi tiếp."),
                       starts - timedelta(days=1), "HH:mm dd/MM/yyyy"))
    if booking.point is not None:
        point = booking.point
        place = f"{point.name}, {point.address}" if point.address else point.name
        items.append(_item(_("Đến %(place)s trước giờ hẹn 15 phút; mang CCCD.", place=place),
                           starts - timedelta(minutes=POINT_EARLY_MINUTES), "HH:mm dd/MM/yyyy"))
    elif reception.mode in ONLINE_MODES:
        test_day = calendar.add_working_days(session_day, -LINK_TEST_WORKING_DAYS)
        items.append(_item(_("Kiểm tra camera, micro và đường truyền (từ một ngày làm việc "
                             "trước buổi tiếp)."), _start_of(test_day),
                           link=(_("Kiểm tra kết nối"),
                                 url_for("live.connection_test", session_id=reception.id))))
        items.append(_item(_("Vào phòng chờ trực tuyến, một giờ trước giờ hẹn."),
                           starts - timedelta(minutes=CONNECT_BEFORE_MINUTES),
                           "HH:mm dd/MM/yyyy",
                           link=(_("Vào phòng chờ"),
                                 url_for("live.room", session_id=reception.id))))
    else:
        items.append(_item(_("Đến nơi tiếp công dân đúng giờ hẹn, mang theo căn cước."),
                           starts, "HH:mm dd/MM/yyyy"))
    return items
