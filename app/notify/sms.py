"""The text of an SMS: one template per message kind, rendered from the message's facts.

An SMS is rendered when it is queued (app/notify/services.py), in the recipient's
language, so that the administrators' outbox page shows the very text that goes out.
It carries the tracking code, the date (dd/mm/yyyy), the time (HH:MM), the unit and a
link (CONTRACT §6), and keeps to what Vietnamese carriers take in a brandname message:

- GSM-7 without diacritics (``Phường`` → ``Phuong``, ``Đ`` → ``D``), unless
  ``SMS_UNICODE`` is on; a Unicode text that would need more than two UCS-2 segments
  (134 characters) is shortened to the subject and the facts, and goes folded when
  even that is too long;
- at most two segments: 306 GSM-7 characters (or 134 UCS-2 characters);
- none of ``% # & [ ] { } \\ < @`` (so a link carries no query string).

Templates use the facts only (app/notify/facts.py): no free text of a booking, so a
denunciation's matter never reaches a phone. Kinds without a template (tasks, account
messages such as ``password_reset_code``) send their subject and the first line of
their body, folded and cut to fit.
"""

from __future__ import annotations

import re
import string
import unicodedata

from flask_babel import lazy_gettext as _l

GSM_LIMIT = 306  # two concatenated GSM-7 segments of 153 characters
UCS2_LIMIT = 134  # two concatenated UCS-2 segments of 67 characters
FORBIDDEN = frozenset("%#&[]{}\\<@")
# Printable ASCII that is in the GSM 03.38 basic set and not refused by carriers.
GSM_SAFE = frozenset(string.ascii_letters + string.digits + " !\"$'()*+,-./:;=>?_")
# What stands in for a character carriers refuse or GSM-7 lacks.
REPLACEMENTS = {
    "đ": "d", "Đ": "D", "&": "+", "@": "(a)", "%": " pt", "#": "No.", "<": "(",
    "[": "(", "]": ")", "{": "(", "}": ")", "\\": "/", "|": "/", "~": "-", "^": "",
    "`": "'", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
    "«": '"', "»": '"', "·": "-", "•": "-", "€": "EUR", "\u00a0": " ",
}

# The booking kinds' templates. Placeholders are facts: tracking_code, date, time,
# unit, link.
TEMPLATES = {
    "booking_received": _l(
        "UBND %(unit)s đã nhận đăng ký tiếp công dân của ông/bà, mã %(tracking_code)s, "
        "buổi tiếp %(time)s ngày %(date)s. Kết quả xét duyệt sẽ được báo sau. "
        "Tra cứu: %(link)s"),
    "booking_accepted": _l(
        "UBND %(unit)s xác nhận lịch tiếp công dân của ông/bà lúc %(time)s ngày %(date)s, "
        "mã %(tracking_code)s. Xin vui lòng có mặt đúng giờ. Tra cứu: %(link)s"),
    "booking_waitlisted": _l(
        "UBND %(unit)s: buổi tiếp %(time)s ngày %(date)s đã hết lượt, ông/bà được ghi tên "
        "vào danh sách chờ, mã %(tracking_code)s. Chúng tôi sẽ báo ngay khi có lượt. "
        "Tra cứu: %(link)s"),
    "booking_promoted": _l(
        "UBND %(unit)s: đã có lượt tiếp cho ông/bà lúc %(time)s ngày %(date)s, "
        "mã %(tracking_code)s. Xin vui lòng có mặt đúng giờ. Tra cứu: %(link)s"),
    "booking_refused": _l(
        "UBND %(unit)s xin lỗi ông/bà: không thể tiếp đối với vụ việc mã %(tracking_code)s "
        "(buổi tiếp %(time)s ngày %(date)s). Văn bản thông báo sẽ được gửi theo quy định. "
        "Tra cứu: %(link)s"),
    "booking_redirected": _l(
        "UBND %(unit)s: vụ việc mã %(tracking_code)s (buổi tiếp %(time)s ngày %(date)s) "
        "thuộc thẩm quyền của cơ quan khác. Xin xem hướng dẫn tại trang tra cứu: %(link)s"),
    "booking_cancelled": _l(
        "UBND %(unit)s: lịch tiếp công dân lúc %(time)s ngày %(date)s, "
        "mã %(tracking_code)s, đã được hủy. Ông/bà có thể đặt lịch buổi khác. "
        "Tra cứu: %(link)s"),
    "booking_rescheduled": _l(
        "UBND %(unit)s: lịch tiếp công dân của ông/bà, mã %(tracking_code)s, đã chuyển sang "
        "%(time)s ngày %(date)s. Tra cứu: %(link)s"),
    "booking_reminder_24h": _l(
        "Nhắc lịch: ông/bà có lịch tiếp công dân tại UBND %(unit)s lúc %(time)s ngày mai "
        "%(date)s, mã %(tracking_code)s. Tra cứu: %(link)s"),
    "booking_reminder_1h": _l(
        "Nhắc lịch: buổi tiếp công dân tại UBND %(unit)s bắt đầu lúc %(time)s hôm nay "
        "%(date)s, mã %(tracking_code)s. Nếu tiếp trực tuyến, xin vào phòng chờ sớm. "
        "Tra cứu: %(link)s"),
    "booking_expired": _l(
        "UBND %(unit)s xin lỗi ông/bà: lịch hẹn mã %(tracking_code)s (%(time)s ngày "
        "%(date)s) hết hiệu lực vì buổi tiếp đã kết thúc trước khi được xem xét. Xin đặt "
        "lịch ở buổi sau. Tra cứu: %(link)s"),
    "turn_near": _l(
        "UBND %(unit)s: sắp đến lượt tiếp của ông/bà, mã %(tracking_code)s, buổi tiếp "
        "%(time)s ngày %(date)s. Xin vào phòng chờ ngay: %(link)s"),
    "session_rescheduled": _l(
        "UBND %(unit)s: buổi tiếp công dân đã được dời; lượt của ông/bà, "
        "mã %(tracking_code)s, nay là %(time)s ngày %(date)s. Tra cứu: %(link)s"),
    "session_cancelled": _l(
        "UBND %(unit)s: buổi tiếp %(time)s ngày %(date)s đã bị hủy, lượt "
        "mã %(tracking_code)s được hủy. Ông/bà có thể đặt lịch buổi khác. "
        "Tra cứu: %(link)s"),
    "session_deputy": _l(
        "UBND %(unit)s: buổi tiếp %(time)s ngày %(date)s (mã %(tracking_code)s) có thay đổi "
        "người chủ trì. Chi tiết: %(link)s"),
}
# Where to go, added to a booking's SMS when the citizen joins from a reception point
# and it still fits.
POINT_LINE = _l("Đến %(point)s trước giờ hẹn 15 phút; mang CCCD.")
# When a template would not fit (an unusually long SITE_URL): the facts alone.
COMPACT = _l("Mã %(tracking_code)s, %(time)s %(date)s, UBND %(unit)s: %(link)s")
FACT_NAMES = ("tracking_code", "date", "time", "unit", "link")


def fold(text: str) -> str:
    """``text`` in GSM-7 without diacritics (Vietnamese letters to their base letter)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))
    return "".join(c if c in GSM_SAFE else REPLACEMENTS.get(c, "?" if c.isprintable()
                                                             else " ") for c in text)


def clean(text: str) -> str:
    """One line, no character carriers refuse, single spaces."""
    text = "".join(REPLACEMENTS[c] if c in FORBIDDEN else c for c in text)
    text = "".join(c if c.isprintable() else " " for c in text)
    return re.sub(r"\s+", " ", text).strip()


def is_gsm(text: str) -> bool:
    """Whether ``text`` uses only the safe GSM-7 characters."""
    return all(c in GSM_SAFE for c in text)


def limit_of(text: str) -> int:
    """How many characters two segments hold for ``text``'s alphabet."""
    return GSM_LIMIT if is_gsm(text) else UCS2_LIMIT


def crop(text: str, size: int) -> str:
    """``text`` cut at a word to at most ``size`` characters."""
    if len(text) <= size:
        return text
    cut = text[:max(size, 0)]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.;:-")


def render(kind: str, facts: dict | None, subject: str = "", body: str = "", *,
           unicode: bool = False) -> str:
    """The SMS of a message of ``kind`` (call it in the recipient's locale).

    With ``unicode`` the text keeps its diacritics when it fits two UCS-2 segments, in
    full or else as the subject followed by the facts; otherwise it goes folded.
    """
    text = _compose(kind, facts or {}, subject, body)
    if unicode:
        for candidate in (text, _short(kind, facts or {}, subject)):
            candidate = clean(candidate)
            if candidate and len(candidate) <= limit_of(candidate):
                return candidate
    return fit(fold(clean(text)))


def _short(kind: str, facts: dict, subject: str) -> str:
    """The subject (without its tracking code) and the facts: a Unicode SMS's short form."""
    values = {name: str(facts.get(name) or "") for name in FACT_NAMES}
    if kind not in TEMPLATES or not values["tracking_code"]:
        return ""
    lead = subject.replace(values["tracking_code"], "").strip(" –-.")
    return f"{lead}. {str(COMPACT) % values}" if lead else str(COMPACT) % values


def fit(text: str) -> str:
    """A GSM-7 text cut to two segments."""
    return crop(text, GSM_LIMIT)


def _compose(kind: str, facts: dict, subject: str, body: str) -> str:
    values = {name: str(facts.get(name) or "") for name in FACT_NAMES}
    template = TEMPLATES.get(kind)
    if template is not None and values["tracking_code"]:
        text = str(template) % values
        if facts.get("point"):
            with_point = f"{text} {str(POINT_LINE) % {'point': facts['point']}}"
            if len(fold(clean(with_point))) <= GSM_LIMIT:
                return with_point
        if len(fold(clean(text))) <= GSM_LIMIT:
            return text
        return _compact(values)
    return _generic(subject, body, values)


def _compact(values: dict) -> str:
    """The facts alone; the unit is shortened before the link is."""
    text = str(COMPACT) % values
    excess = len(fold(clean(text))) - GSM_LIMIT
    if excess > 0:
        values = dict(values, unit=crop(values["unit"], len(values["unit"]) - excess))
        text = str(COMPACT) % values
    return text


def _generic(subject: str, body: str, values: dict) -> str:
    """The subject and the first line of the body; the link, when the facts have one."""
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    text = ". ".join(part.strip().rstrip(".") for part in (subject, first) if part.strip())
    link = values["link"]
    if not link:
        return text
    room = GSM_LIMIT - len(fold(clean(link))) - 2
    if len(fold(clean(text))) > room:
        text = crop(fold(clean(text)), room)
    return f"{text}. {link}"
