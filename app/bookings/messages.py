"""Messages to citizens about their bookings, and the signed links they carry.

Messages go to the outbox (``queue_notification``) in the caller's transaction.
They are polite in the Vietnamese public-service manner ("xin chào", "xin cảm ơn",
"xin lỗi"), written in the citizen's language, and give the tracking code, the time
(dd/mm/yyyy HH:mm), the unit and the official who hosts, how to join and, while the
booking is open, signed links to cancel or reschedule without signing in. The e-mail
of a change a calendar must show carries the booking's invitation (invitation.py).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..notify.facts import booking_facts, external_url
from ..notify.services import queue_notification
from ..schedules.models import SessionMode
from ..timeutil import to_local
from .invitation import imip_part

# One salt per action: a cancel link cannot be replayed as a reschedule link.
LINK_SALTS = {"cancel": "booking-cancel-link", "reschedule": "booking-reschedule-link"}
LINK_MAX_AGE = 180 * 24 * 3600
ONLINE_MODES = (SessionMode.ONLINE, SessionMode.HYBRID)

SUBJECTS = {
    "booking_received": _l("Đã nhận đăng ký tiếp công dân"),
    "booking_accepted": _l("Lịch tiếp công dân đã được xác nhận"),
    "booking_waitlisted": _l("Đã ghi tên vào danh sách chờ"),
    "booking_promoted": _l("Đã có lượt tiếp cho ông/bà"),
    "booking_refused": _l("Thông báo từ chối tiếp công dân"),
    "booking_redirected": _l("Hướng dẫn gửi vụ việc đến cơ quan có thẩm quyền"),
    "booking_cancelled": _l("Lịch tiếp công dân đã được hủy"),
    "booking_rescheduled": _l("Lịch tiếp công dân đã được thay đổi"),
    "booking_reminder_24h": _l("Nhắc lịch: buổi tiếp công dân vào ngày mai"),
    "booking_reminder_1h": _l("Nhắc lịch: buổi tiếp công dân sắp bắt đầu"),
    "booking_expired": _l("Lịch hẹn tiếp công dân đã hết hiệu lực"),
}

INTROS = {
    "booking_received": _l("Xin cảm ơn ông/bà đã đăng ký tiếp công dân. Ban tiếp công dân đã "
                           "nhận đăng ký và sẽ xem xét, thông báo kết quả sớm nhất."),
    "booking_accepted": _l("Xin trân trọng thông báo: đăng ký tiếp công dân của ông/bà đã được "
                           "tiếp nhận. Xin ông/bà vui lòng có mặt đúng giờ."),
    "booking_waitlisted": _l("Xin cảm ơn ông/bà đã đăng ký. Buổi tiếp đã hết lượt nên chúng "
                             "tôi đã ghi tên ông/bà vào danh sách chờ và sẽ báo ngay khi có "
                             "lượt trống."),
    "booking_promoted": _l("Xin trân trọng thông báo: đã có lượt trống và ông/bà đã được xếp "
                           "lịch từ danh sách chờ."),
    "booking_refused": _l("Xin lỗi ông/bà: Ban tiếp công dân không thể tiếp ông/bà đối với vụ "
                          "việc này."),
    "booking_redirected": _l("Xin cảm ơn ông/bà đã tin tưởng gửi vụ việc. Vụ việc thuộc thẩm "
                             "quyền giải quyết của cơ quan dưới đây; xin ông/bà vui lòng liên "
                             "hệ cơ quan này."),
    "booking_cancelled": _l("Lịch hẹn tiếp công dân của ông/bà đã được hủy."),
    "booking_rescheduled": _l("Lịch hẹn của ông/bà đã được chuyển sang thời gian mới dưới "
                              "đây."),
    "booking_reminder_24h": _l("Xin nhắc ông/bà: buổi tiếp công dân sẽ bắt đầu sau khoảng 24 "
                               "giờ nữa."),
    "booking_reminder_1h": _l("Xin nhắc ông/bà: buổi tiếp công dân sẽ bắt đầu sau khoảng 1 giờ "
                              "nữa. Với buổi tiếp trực tuyến, xin vui lòng vào phòng chờ sớm."),
    "booking_expired": _l("Xin lỗi ông/bà: buổi tiếp đã kết thúc trước khi đăng ký của ông/bà "
                          "được xem xét, nên lịch hẹn không còn hiệu lực. Xin ông/bà vui lòng "
                          "đặt lịch ở buổi tiếp sau; chúng tôi luôn sẵn sàng lắng nghe."),
}


def format_when(moment) -> str:
    """dd/mm/yyyy HH:mm in Vietnam time."""
    local = to_local(moment)
    return local.strftime("%d/%m/%Y %H:%M") if local else ""


def _serializer(action: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALTS[action])


def sign_link(booking, action: str) -> str:
    """A token for ``action`` on this booking, valid until the booking next changes."""
    return _serializer(action).dumps([booking.id, booking.ics_sequence])


def read_link(token: str, action: str) -> tuple[int, int] | None:
    """(booking id, ics sequence) from a valid, unexpired token; else None."""
    if action not in LINK_SALTS or not isinstance(token, str) or len(token) > 500:
        return None
    try:
        value = _serializer(action).loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        return None
    return value[0], value[1]


def action_links(booking) -> dict[str, str]:
    """Signed cancel / reschedule URLs (empty when the booking is closed)."""
    if not booking.is_open:
        return {}
    return {action: external_url("bookings.signed_action", action=action,
                                 token=sign_link(booking, action))
            for action in LINK_SALTS}


def compose(booking, kind: str, **extra) -> tuple[str, str]:
    """(subject, body) of a message of ``kind`` about ``booking``, in the citizen's language."""
    locale = booking.citizen.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        return _compose(booking, kind, extra)


def _compose(booking, kind: str, extra: dict) -> tuple[str, str]:
    reception = booking.reception
    when = booking.slot_start or reception.starts_at
    lines = [_("Xin chào ông/bà %(name)s,", name=booking.citizen.full_name), "",
             str(INTROS[kind])]
    lines += _extra_lines(kind, extra)
    lines += ["", _("Mã tra cứu: %(code)s", code=booking.tracking_code),
              _("Thời gian: %(when)s", when=format_when(when)),
              _("Đơn vị: Ủy ban nhân dân %(unit)s", unit=reception.unit.name),
              _("Người chủ trì: %(host)s", host=reception.hosted_by.full_name)]
    lines += joining_lines(booking)
    links = action_links(booking)
    if links:
        lines += ["", _("Nếu cần hủy lịch: %(url)s", url=links["cancel"]),
                  _("Nếu cần đổi lịch: %(url)s", url=links["reschedule"])]
    lines += [_("Tra cứu vụ việc: %(url)s", url=external_url("bookings.track")), "",
              _("Xin trân trọng cảm ơn."), _("Ban tiếp công dân")]
    subject = f"{SUBJECTS[kind]} – {booking.tracking_code}"
    return subject, "\n".join(lines)


def point_line(booking) -> str:
    """Where to go for a booking that joins from a reception point ("" from home)."""
    point = booking.point
    if point is None:
        return ""
    place = f"{point.name}, {point.address}" if point.address else point.name
    return _("Đến %(place)s trước giờ hẹn 15 phút; mang CCCD.", place=place)


def joining_lines(booking) -> list[str]:
    """How to join a booking that stands: the reception point to go to, or the waiting
    room and the connection test of an online session; the place of one held in person."""
    if not booking.takes_a_slot:
        return []
    reception = booking.reception
    lines = []
    if booking.point is not None:
        lines.append(point_line(booking))
    elif reception.mode in ONLINE_MODES:
        lines += [_("Phòng chờ trực tuyến (mở trước giờ tiếp): %(url)s",
                    url=external_url("live.room", session_id=reception.id)),
                  _("Kiểm tra camera, micro và kết nối trước buổi tiếp: %(url)s",
                    url=external_url("live.connection_test", session_id=reception.id))]
    if reception.mode != SessionMode.ONLINE and reception.location:
        lines.append(_("Địa điểm: %(place)s", place=reception.location))
    return lines


def _extra_lines(kind: str, extra: dict) -> list[str]:
    lines = []
    if kind == "booking_refused" and extra.get("ground_text"):
        lines.append(_("Căn cứ: %(ground)s.", ground=_(extra["ground_text"])))
        if extra.get("written_notice"):
            # Form 01/TCD is due only on the grounds of Decree 154/2026 Art 4.3.
            lines.append(_("Văn bản thông báo từ chối tiếp (Mẫu 01/TCD) sẽ được gửi ông/bà "
                           "trong thời hạn 03 ngày làm việc theo quy định."))
        else:
            # Other grounds are explained without a written notice (Art 4.2).
            lines.append(_("Lý do từ chối tiếp được thông báo cho ông/bà tại tin nhắn này "
                           "(Nghị định 154/2026/NĐ-CP, Điều 4 khoản 2)."))
    if kind == "booking_redirected" and extra.get("agency_name"):
        lines.append(_("Cơ quan có thẩm quyền: %(agency)s.", agency=extra["agency_name"]))
    if kind == "booking_cancelled" and extra.get("by_staff"):
        lines.append(_("Xin lỗi ông/bà vì sự bất tiện này. Ông/bà có thể đặt lịch ở buổi tiếp "
                       "khác."))
    if extra.get("note"):
        lines.append(_("Ghi chú: %(note)s", note=extra["note"]))
    return lines


def calendar_part(booking, kind: str) -> str:
    """The invitation an e-mail of ``kind`` carries (invitation.py), in the citizen's
    language; "" for the messages that carry none and for a citizen without e-mail."""
    if not booking.citizen.email:
        return ""
    locale = booking.citizen.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        return imip_part(booking, kind)


def session_notice_parts(booking, kind: str) -> dict:
    """What a message of app/schedules/notices.py about ``booking`` adds, in the
    citizen's language: how to join (``joining``) and the invitation (``calendar``)."""
    locale = booking.citizen.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        joining = joining_lines(booking)
    return {"joining": joining, "calendar": calendar_part(booking, kind)}


def notify_booking(booking, kind: str, *, dedupe_key: str | None = None, **extra) -> list:
    """Queue the message of ``kind`` to the booking's citizen (same transaction).

    Call it after the change is written (its status, its raised ``ics_sequence``): the
    signed links and the invitation are made from the booking as it now is.
    """
    subject, body = compose(booking, kind, **extra)
    return queue_notification(booking.citizen, kind, subject, body, dedupe_key=dedupe_key,
                              calendar=calendar_part(booking, kind),
                              facts=booking_facts(booking, kind, **extra))
