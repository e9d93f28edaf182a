"""Working days in Vietnam: public holidays, substitute days off and make-up days.

The ``holidays`` package knows the statutory holidays (Tết, Hùng Kings, 30/4, 1/5,
2/9 and its second day, Culture Day 24/11), the substitute days off and the
make-up working Saturdays decided so far (its ``weekend_workdays``). The
government decides further swaps year by year, so the application passes its
own overrides, and an override always wins over the package.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from .errors import N_, CoreError

#: Name shown for a day off that the application added without a name.
DEFAULT_DAY_OFF_NAME = N_("Ngày nghỉ theo quyết định của cơ quan có thẩm quyền")

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def _as_date(day: date) -> date:
    # A datetime is a date too, but an aware UTC datetime would silently give the
    # wrong local day: insist on a local date.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a local date, got {day!r}")
    return day


class WorkCalendar:
    """Vietnamese working days: Monday–Friday minus holidays plus make-up days.

    ``days_off`` are extra days off decided after the package was released,
    ``workdays`` are extra make-up working days, ``names`` gives the Vietnamese
    name of any day off (it also renames a package holiday). Years are loaded
    from the package lazily, once each.
    """

    def __init__(
        self,
        days_off: Iterable[date] = (),
        workdays: Iterable[date] = (),
        names: dict[date, str] | None = None,
    ):
        self._days_off = frozenset(_as_date(d) for d in days_off)
        self._workdays = frozenset(_as_date(d) for d in workdays)
        clash = self._days_off & self._workdays
        if clash:
            raise CoreError(
                "conflicting_override",
                N_("Ngày {date} không thể vừa là ngày nghỉ vừa là ngày làm việc bù."),
                field="date",
                date=min(clash).strftime("%d/%m/%Y"),
            )
        self._names = dict(names or {})
        self._holidays: dict[date, str] = {}
        self._makeup: set[date] = set()
        self._years: set[int] = set()
        self._lock = threading.Lock()

    def _load(self, year: int) -> None:
        """Copy one year of holidays and make-up days from the package."""
        if year in self._years:
            return
        with self._lock:
            if year in self._years:
                return
            # A swap may cross New Year (a make-up Saturday in January for a day
            # off in December), so the neighbouring years are asked too.
            import holidays  # on first use: ~3.5 MB that a web process may not need

            package = holidays.country_holidays(
                "VN", years=range(year - 1, year + 2), language="vi"
            )
            self._holidays.update((d, n) for d, n in package.items() if d.year == year)
            self._makeup.update(d for d in package.weekend_workdays if d.year == year)
            self._years.add(year)

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a public holiday or a day off (weekends aside)."""
        day = _as_date(day)
        if day in self._days_off:
            return True
        if day in self._workdays:
            return False
        self._load(day.year)
        return day in self._holidays

    def holiday_name(self, day: date) -> str | None:
        """The Vietnamese name of the holiday or day off on ``day``, else ``None``."""
        if not self.is_holiday(day):
            return None
        return self._names.get(day) or self._holidays.get(day) or DEFAULT_DAY_OFF_NAME

    def is_working_day(self, day: date) -> bool:
        """Whether offices work on ``day``."""
        day = _as_date(day)
        if day in self._workdays:
            return True
        if self.is_holiday(day):
            return False
        if day.weekday() >= _SATURDAY:
            return day in self._makeup
        return True

    def next_working_day(self, day: date, include_self: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself if allowed and working)."""
        day = _as_date(day)
        if include_self and self.is_working_day(day):
            return day
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: date, include_self: bool = False) -> date:
        """The last working day before ``day`` (or ``day`` itself if allowed and working)."""
        day = _as_date(day)
        if include_self and self.is_working_day(day):
            return day
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` is negative).

        ``day`` itself is never counted; ``n == 0`` returns ``day`` unchanged.
        """
        day = _as_date(day)
        step = self.next_working_day if n > 0 else self.previous_working_day
        for _ in range(abs(n)):
            day = step(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``.

        Negative when ``end`` comes first (then the working days from ``end``
        up to but excluding ``start``), so that for a working day ``end``,
        ``add_working_days(start, working_days_between(start, end)) == end``.
        """
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self._count(end, start - _ONE_DAY)
        return self._count(start + _ONE_DAY, end)

    def _count(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        count, day = 0, first
        while day <= last:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count
