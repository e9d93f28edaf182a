"""Periodic reception schedules: RFC 5545 RRULEs expanded around Vietnamese holidays.

A schedule is a rule (``FREQ=MONTHLY;BYDAY=3TU``), a start time, a duration and
a validity period. Expanding it yields dated occurrences; a date that is not a
working day is skipped or, with the ``shift`` policy, moved to the next working
day. Everything is local time in ``Asia/Ho_Chi_Minh``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from .errors import N_, CoreError
from .workdays import WorkCalendar

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_OCCURRENCES = 1000
MAX_VALIDITY_YEARS = 5
MIN_SLOT_MINUTES = 5
MAX_RRULE_LENGTH = 500
MAX_INTERVAL = 100


class HolidayPolicy(StrEnum):
    """What a schedule does with a rule date that is not a working day; the
    ``schedules.holiday_policy`` column stores these strings."""

    SHIFT = "shift"
    SKIP = "skip"


class SessionMode(StrEnum):
    """How a reception takes place; the ``mode`` columns of ``schedules`` and
    ``reception_sessions`` store these strings (app/schedules/models.py)."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


HOLIDAY_POLICIES = tuple(HolidayPolicy)
MODES = tuple(SessionMode)

# Canonical order of the parts of a normalised rule; anything else is refused
# (BYHOUR, BYMINUTE, BYSECOND: the time of day is the schedule's start_time).
_PARTS = (
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY",
    "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST",
)
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_UNTIL = re.compile(r"^\d{8}(T\d{6}Z?)?$")
_HH_MM = re.compile(r"^(\d{2}):(\d{2})(?::00)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The Gregorian calendar repeats every 400 years (146097 days, exactly 20871
# weeks), so a rule behaves identically 400·k years later. Expanding near year
# 9999 bounds dateutil's search: a rule that never matches again would otherwise
# scan every year up to 9999 before giving up.
_CYCLE_YEARS = 400
_LAST_YEAR = 9999


@dataclass(frozen=True)
class Occurrence:
    """One dated session of a schedule; ``shifted_from`` is the holiday it replaced."""

    starts_at: datetime
    ends_at: datetime
    shifted_from: date | None = None


@dataclass(frozen=True)
class ScheduleParams:
    """The parameters of a schedule, parsed and checked."""

    rrule: str
    start_time: time
    duration_minutes: int
    slot_minutes: int
    valid_from: date
    valid_until: date
    holiday_policy: str
    mode: str


class ScheduleErrors(CoreError):
    """All the field errors of a schedule at once (the app answers 422)."""

    def __init__(self, errors: dict[str, CoreError]):
        super().__init__("validation_error", N_("Thông tin lịch tiếp không hợp lệ."))
        self.errors = dict(errors)

    def messages(self, gettext=None) -> dict[str, str]:
        """``{field: message}``, translated with ``gettext`` when it is given."""
        return {
            field: error.translated(gettext) if gettext else error.message
            for field, error in self.errors.items()
        }


# --- the rule itself -------------------------------------------------------------
def _invalid(message: str, **params) -> CoreError:
    return CoreError("invalid_rrule", message, field="rrule", **params)


def _split(text: object) -> dict[str, str]:
    """The ``NAME=VALUE`` parts of a one-line rule, names and values upper-cased."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid(N_("Quy tắc lặp (RRULE) là bắt buộc."))
    if len(text) > MAX_RRULE_LENGTH or any(c in text for c in "\r\n"):
        raise _invalid(N_("Quy tắc lặp phải là một dòng RRULE ngắn gọn."))
    body = text.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:]
    parts: dict[str, str] = {}
    for piece in filter(None, (p.strip() for p in body.split(";"))):
        name, sep, value = (s.strip().upper() for s in piece.partition("="))
        if not sep or not name or not value:
            raise _invalid(N_("Phần “{part}” của quy tắc lặp không có dạng TÊN=GIÁ_TRỊ."),
                           part=piece[:40])
        if name not in _PARTS:
            raise _invalid(N_("Quy tắc lặp không hỗ trợ phần “{part}”."), part=name[:40])
        if name in parts:
            raise _invalid(N_("Phần “{part}” xuất hiện nhiều lần trong quy tắc lặp."),
                           part=name)
        parts[name] = value
    return parts


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 6


def _positive(parts: dict[str, str], name: str, highest: int) -> None:
    value = parts.get(name, "1")
    if not (_is_number(value) and 1 <= int(value) <= highest):
        raise _invalid(N_("{part} phải là số nguyên từ 1 đến {max}."), part=name, max=highest)


def _until_date(value: str) -> date:
    """The last local date allowed by an UNTIL value (a date or a date-time)."""
    try:
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")
    except ValueError:
        moment = None
    if moment is None or not _UNTIL.match(value):
        raise _invalid(N_("UNTIL phải là một ngày dạng YYYYMMDD."))
    if value.endswith("Z"):  # a UTC date-time: the local date is what counts
        moment = moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ)
    return moment.date()


def _checked_parts(text: object) -> dict[str, str]:
    """The parts of a rule, checked part by part (UNTIL normalised to YYYYMMDD)."""
    parts = _split(text)
    freq = parts.get("FREQ")
    if freq is None:
        raise _invalid(N_("Quy tắc lặp phải có FREQ."))
    if freq not in _FREQS:
        raise _invalid(N_("FREQ phải là DAILY, WEEKLY, MONTHLY hoặc YEARLY."))
    _positive(parts, "INTERVAL", MAX_INTERVAL)
    _positive(parts, "COUNT", MAX_OCCURRENCES)
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid(N_("Quy tắc lặp không được có cả COUNT lẫn UNTIL."))
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_date(parts["UNTIL"]).strftime("%Y%m%d")
    return parts


def _join(parts: dict[str, str]) -> str:
    return ";".join(f"{name}={parts[name]}" for name in _PARTS if name in parts)


def _shift_years(day: date, years: int) -> date:
    # Only ever called with multiples of 400 years, which keep 29 February.
    return day.replace(year=day.year + years)


def _iter_dates(parts: dict[str, str], first: date, last: date) -> Iterator[date]:
    """Dates the rule yields from ``first`` (its DTSTART) to ``last``, in order."""
    offset = _CYCLE_YEARS * ((_LAST_YEAR - last.year) // _CYCLE_YEARS)
    dtstart = datetime.combine(_shift_years(first, offset), time())
    rule_text = _join({k: v for k, v in parts.items() if k != "UNTIL"})
    try:
        for moment in rrulestr(rule_text, dtstart=dtstart):
            day = _shift_years(moment.date(), -offset)
            if day > last:
                return
            yield day
    except (ValueError, IndexError, KeyError, TypeError, OverflowError):
        # dateutil reports bad values (BYDAY=9TU, WKST=XX...) in many ways.
        raise _invalid(N_("Quy tắc lặp không hợp lệ.")) from None


def validate_rrule(text: object) -> str:
    """The rule normalised (no ``RRULE:`` prefix, parts in canonical order).

    Raises ``CoreError("invalid_rrule")`` for anything that is not a daily or
    coarser RFC 5545 rule made of supported parts, or that never yields a date.
    """
    parts = _checked_parts(text)
    probe = date(2000, 1, 1)
    # One 400-year cycle is every calendar there is: no date there means never.
    if next(_iter_dates(parts, probe, _shift_years(probe, _CYCLE_YEARS)), None) is None:
        raise _invalid(N_("Quy tắc lặp không bao giờ sinh ra ngày nào."))
    return _join(parts)


def rule_dates(
    rrule: str, valid_from: date, valid_until: date, max_occurrences: int = MAX_OCCURRENCES
) -> list[date]:
    """The dates a rule yields in the validity period, before holidays are considered.

    The rule is anchored on ``valid_from`` (INTERVAL and COUNT count from there).
    Raises ``CoreError("too_many_sessions")`` beyond ``max_occurrences``.
    """
    parts = _checked_parts(rrule)
    last = valid_until
    if "UNTIL" in parts:
        last = min(last, _until_date(parts["UNTIL"]))
    if last < valid_from:
        return []
    dates = []
    for day in _iter_dates(parts, valid_from, last):
        if len(dates) >= max_occurrences:
            raise CoreError("too_many_sessions", N_(
                "Lịch sinh ra quá {max} buổi tiếp trong thời gian hiệu lực; hãy giảm tần suất "
                "hoặc rút ngắn thời gian hiệu lực."), field="rrule", max=max_occurrences)
        dates.append(day)
    return dates


# --- expansion -------------------------------------------------------------------
def resolve_holidays(
    dates: list[date], holiday_policy: str, calendar: WorkCalendar, last_day: date
) -> list[tuple[date, date | None]]:
    """``(day, shifted_from)`` pairs, sorted, one per day, after applying the policy.

    A non-working day is dropped (``skip``) or moved to the next working day
    (``shift``); a moved day is dropped when it lands after ``last_day`` or on a
    day the rule already holds.
    """
    wanted = set(dates)
    kept: dict[date, date | None] = {}
    for day in sorted(wanted):
        target, origin = day, None
        if not calendar.is_working_day(day):
            if holiday_policy != HolidayPolicy.SHIFT:
                continue
            target, origin = calendar.next_working_day(day), day
            if target > last_day or target in wanted:
                continue
        kept.setdefault(target, origin)
    return sorted(kept.items())


def expand_schedule(
    rrule: str,
    start_time: time,
    duration_minutes: int,
    valid_from: date,
    valid_until: date,
    holiday_policy: str,
    calendar: WorkCalendar,
    window: tuple[date, date] | None = None,
    max_occurrences: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """The sessions of a schedule from ``valid_from`` to ``valid_until`` (both included).

    ``window`` keeps only the sessions whose (possibly shifted) day lies in it,
    both ends included; the whole period is still expanded so that a rolling
    horizon gives exactly the sessions of the full expansion.
    """
    parse_choice("holiday_policy", holiday_policy)
    raw = rule_dates(rrule, valid_from, valid_until, max_occurrences)
    days = resolve_holidays(raw, holiday_policy, calendar, valid_until)
    if window is not None:
        days = [(d, s) for d, s in days if window[0] <= d <= window[1]]
    clock = start_time.replace(tzinfo=None)
    length = timedelta(minutes=duration_minutes)
    occurrences = []
    for day, shifted_from in days:
        starts_at = datetime.combine(day, clock, tzinfo=LOCAL_TZ)
        occurrences.append(Occurrence(starts_at, starts_at + length, shifted_from))
    return occurrences


# --- the parameters of a schedule, as the API receives them -------------------------
_CHOICES = {
    "holiday_policy": (HOLIDAY_POLICIES, "invalid_holiday_policy", N_(
        "Cách xử lý ngày nghỉ phải là “shift” (dời sang ngày làm việc kế tiếp) "
        "hoặc “skip” (bỏ qua).")),
    "mode": (MODES, "invalid_mode", N_(
        "Hình thức tiếp phải là “online”, “in_person” hoặc “hybrid”.")),
}


def parse_choice(field: str, value: object) -> str:
    """``value`` if it is one of the choices of ``field`` (``holiday_policy``, ``mode``)."""
    choices, code, message = _CHOICES[field]
    if not isinstance(value, str) or value not in choices:
        raise CoreError(code, message, field=field)
    return value


def parse_time(value: object) -> time:
    """A start time from ``"HH:MM"`` or a naive ``time`` on the minute."""
    if isinstance(value, time) and value.tzinfo is None and value.second == value.microsecond == 0:
        return value
    match = _HH_MM.match(value) if isinstance(value, str) else None
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise CoreError("invalid_time", N_("Giờ bắt đầu phải có dạng HH:MM (ví dụ 08:00)."))


def parse_date(value: object) -> date:
    """A date from ``"YYYY-MM-DD"`` or a ``date`` (not a ``datetime``)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CoreError("invalid_date", N_("Ngày phải có dạng YYYY-MM-DD và có thật."))


def parse_minutes(value: object) -> int:
    """A whole number of minutes from an ``int`` or a string of digits."""
    if isinstance(value, str) and _is_number(value.strip()):
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise CoreError("invalid_minutes", N_("Giá trị phải là một số phút nguyên."))


_PARSERS = {
    "rrule": validate_rrule,
    "start_time": parse_time,
    "duration_minutes": parse_minutes,
    "slot_minutes": parse_minutes,
    "valid_from": parse_date,
    "valid_until": parse_date,
    "holiday_policy": partial(parse_choice, "holiday_policy"),
    "mode": partial(parse_choice, "mode"),
}


def _parse_fields(data: Mapping[str, object], errors: dict[str, CoreError]) -> dict:
    """Each field parsed on its own; failures go to ``errors`` under the field name."""
    values = {}
    for field, parser in _PARSERS.items():
        if data.get(field) is None:
            errors[field] = CoreError("required", N_("Thông tin này là bắt buộc."), field=field)
            continue
        try:
            values[field] = parser(data[field])
        except CoreError as error:
            error.field = field
            errors[field] = error
    return values


def _duration_error(duration: int, start: time | None) -> CoreError | None:
    """Why a duration is wrong: not positive, or running past midnight."""
    if duration <= 0:
        return CoreError("invalid_duration", N_("Thời lượng phải lớn hơn 0 phút."))
    if start is not None and start.hour * 60 + start.minute + duration >= 24 * 60:
        return CoreError("ends_next_day", N_("Buổi tiếp phải kết thúc trong ngày (trước 24:00)."))
    return None


def _check_duration(values: dict, errors: dict[str, CoreError]) -> None:
    """Duration > 0 and within the day; a slot from 5 minutes to the whole duration."""
    duration = values.get("duration_minutes")
    error = None if duration is None else _duration_error(duration, values.get("start_time"))
    if error is not None:
        errors["duration_minutes"], error.field, duration = error, "duration_minutes", None
    slot = values.get("slot_minutes")
    if slot is not None and not MIN_SLOT_MINUTES <= slot <= (duration or slot):
        errors["slot_minutes"] = CoreError(
            "invalid_slot_minutes",
            N_("Mỗi lượt tiếp dài từ {min} phút đến hết thời lượng buổi tiếp."),
            field="slot_minutes", min=MIN_SLOT_MINUTES)


def _period_error(first: date, last: date, rrule: str | None, limit: int) -> CoreError | None:
    """Why a validity period is wrong (reversed, too long, too many or no sessions)."""
    if last < first:
        return CoreError("invalid_period",
                         N_("Ngày kết thúc hiệu lực không được trước ngày bắt đầu."))
    if last >= _add_years(first, MAX_VALIDITY_YEARS):
        return CoreError("period_too_long", N_("Thời gian hiệu lực tối đa là {years} năm."),
                         years=MAX_VALIDITY_YEARS)
    try:
        if rrule is not None and not rule_dates(rrule, first, last, limit):
            return CoreError("no_sessions", N_(
                "Quy tắc lặp không sinh ra buổi tiếp nào trong thời gian hiệu lực."))
    except CoreError as error:  # too_many_sessions
        return error
    return None


def _add_years(day: date, years: int) -> date:
    year = min(day.year + years, date.max.year)  # never past year 9999
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def validate_schedule_params(
    data: Mapping[str, object], max_occurrences: int = MAX_OCCURRENCES
) -> ScheduleParams:
    """The schedule fields of ``data`` parsed, or ``ScheduleErrors`` with every field error.

    ``data`` is the API body (``rrule``, ``start_time`` ``"HH:MM"``, ``duration_minutes``,
    ``slot_minutes``, ``valid_from``/``valid_until`` ``"YYYY-MM-DD"``, ``holiday_policy``,
    ``mode``); values may also be already parsed; a missing key is a ``required`` error.
    """
    errors: dict[str, CoreError] = {}
    values = _parse_fields(data, errors)
    _check_duration(values, errors)
    first, last = values.get("valid_from"), values.get("valid_until")
    if first is not None and last is not None:
        error = _period_error(first, last, values.get("rrule"), max_occurrences)
        if error is not None:
            error.field = "rrule" if error.code in ("no_sessions", "too_many_sessions") \
                else "valid_until"
            errors[error.field] = error
    if errors:
        raise ScheduleErrors(errors)
    return ScheduleParams(**values)
