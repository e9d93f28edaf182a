"""A recurrence rule in words: ``FREQ=MONTHLY;BYDAY=3TU`` becomes "Thứ Ba tuần thứ ba
hằng tháng" (or "third Tuesday of every month"), with the hours when they are given.

Pure: the words of both languages are here, chosen by ``locale``; a rule (or part of a
rule) this module cannot say is answered with the rule itself, never a wrong sentence.
"""

from __future__ import annotations

import re
from datetime import date, time

from .errors import CoreError
from .recurrence import _checked_parts

_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_SAID = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"}

WORDS = {
    "vi": {
        "days": {"MO": "Thứ Hai", "TU": "Thứ Ba", "WE": "Thứ Tư", "TH": "Thứ Năm",
                 "FR": "Thứ Sáu", "SA": "Thứ Bảy", "SU": "Chủ nhật"},
        "nth": {1: "thứ nhất", 2: "thứ hai", 3: "thứ ba", 4: "thứ tư", 5: "thứ năm"},
        "last": "cuối cùng", "and": "và",
        "every": {"DAILY": "hằng ngày", "WEEKLY": "hằng tuần", "MONTHLY": "hằng tháng",
                  "YEARLY": "hằng năm"},
        "each_n": {"DAILY": "{n} ngày một lần", "WEEKLY": "{n} tuần một lần",
                   "MONTHLY": "{n} tháng một lần", "YEARLY": "{n} năm một lần"},
        "weekday_in_week": "{day} tuần {nth}",
        "month_day": "ngày {n}", "last_month_day": "ngày cuối tháng",
        "in_months": "tháng {months}",
        "count": "{n} lần", "until": "đến hết ngày {d}", "sep_n": ", ",
    },
    "en": {
        "days": {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
                 "FR": "Friday", "SA": "Saturday", "SU": "Sunday"},
        "nth": {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"},
        "last": "last", "and": "and",
        "every": {"DAILY": "every day", "WEEKLY": "every week", "MONTHLY": "of every month",
                  "YEARLY": "every year"},
        "each_n": {"DAILY": "every {n} days", "WEEKLY": "every {n} weeks",
                   "MONTHLY": "of every {n} months", "YEARLY": "every {n} years"},
        "weekday_in_week": "{nth} {day}",
        "month_day": "day {n}", "last_month_day": "the last day",
        "in_months": "in month {months}",
        "count": "{n} times", "until": "until {d}", "sep_n": " ",
    },
}


def _words(locale: str | None) -> dict:
    return WORDS["en" if (locale or "").lower().startswith("en") else "vi"]


def _series(items: list[str], w: dict) -> str:
    """``a``, ``a và b``, ``a, b và c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {w['and']} {items[-1]}"


def _ordinal(n: int, w: dict) -> str | None:
    return w["last"] if n == -1 else w["nth"].get(n)


def _days(value: str, w: dict) -> str | None:
    """The BYDAY list in words, None when a part cannot be said."""
    said = []
    for item in value.split(","):
        match = _BYDAY.match(item)
        if not match:
            return None
        nth, day = match.groups()
        if nth is None:
            said.append(w["days"][day])
            continue
        ordinal = _ordinal(int(nth), w)
        if ordinal is None:
            return None
        said.append(w["weekday_in_week"].format(day=w["days"][day], nth=ordinal))
    return _series(said, w)


def _month_days(value: str, w: dict) -> str | None:
    said = []
    for item in value.split(","):
        if item == "-1":
            said.append(w["last_month_day"])
        elif item.isdigit() and 1 <= int(item) <= 31:
            said.append(w["month_day"].format(n=int(item)))
        else:
            return None
    return _series(said, w)


def _when(parts: dict[str, str], w: dict) -> str | None:
    """The days of the rule and how often, or None."""
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    pieces = []
    if "BYDAY" in parts:
        pieces.append(_days(parts["BYDAY"], w))
    if "BYMONTHDAY" in parts:
        pieces.append(_month_days(parts["BYMONTHDAY"], w))
    if "BYMONTH" in parts:
        months = parts["BYMONTH"].split(",")
        if not all(m.isdigit() and 1 <= int(m) <= 12 for m in months):
            return None
        pieces.append(w["in_months"].format(months=_series([str(int(m)) for m in months], w)))
    if None in pieces:
        return None
    if interval == 1:
        return " ".join([*pieces, w["every"][freq]])
    often = w["each_n"][freq].format(n=interval)
    return w["sep_n"].join([" ".join(pieces), often]) if pieces else often


def _end(parts: dict[str, str], w: dict) -> str:
    if "COUNT" in parts:
        return w["count"].format(n=int(parts["COUNT"]))
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        day = date(int(until[:4]), int(until[4:6]), int(until[6:8]))
        return w["until"].format(d=day.strftime("%d/%m/%Y"))
    return ""


def describe(rule: str, locale: str | None = "vi", start: time | None = None,
             end: time | None = None) -> str:
    """``rule`` in words of ``locale`` ("vi" unless English), with ``start``–``end``.

    "Thứ Ba tuần thứ ba hằng tháng, 08:00–11:30"; the rule itself when it cannot be said.
    """
    try:
        parts = _checked_parts(rule)
    except CoreError:
        return str(rule)
    w = _words(locale)
    when = _when(parts, w) if set(parts) <= _SAID else None
    if when is None:
        return str(rule).strip()
    said = [when[0].upper() + when[1:]]
    if end_words := _end(parts, w):
        said.append(end_words)
    if start is not None:
        said.append(start.strftime("%H:%M") + (f"–{end.strftime('%H:%M')}" if end else ""))
    return ", ".join(said)
