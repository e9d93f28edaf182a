"""Tests of sessions/rule_words.py: recurrence rules said in Vietnamese and English."""

from __future__ import annotations

from datetime import time

import pytest

from sessions.rule_words import describe

CASES = [
    ("FREQ=MONTHLY;BYDAY=3TU", "Thứ Ba tuần thứ ba hằng tháng",
     "Third Tuesday of every month"),
    ("FREQ=MONTHLY;BYDAY=2WE,4WE", "Thứ Tư tuần thứ hai và Thứ Tư tuần thứ tư hằng tháng",
     "Second Wednesday and fourth Wednesday of every month"),
    ("FREQ=WEEKLY;BYDAY=FR", "Thứ Sáu hằng tuần", "Friday every week"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "Thứ Hai và Thứ Năm, 2 tuần một lần",
     "Monday and Thursday every 2 weeks"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Ngày 15 hằng tháng", "Day 15 of every month"),
    ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", "Thứ Sáu tuần cuối cùng hằng tháng, 6 lần",
     "Last Friday of every month, 6 times"),
    ("FREQ=DAILY;UNTIL=20271231", "Hằng ngày, đến hết ngày 31/12/2027",
     "Every day, until 31/12/2027"),
    ("rrule:freq=yearly;bymonth=3;bymonthday=8", "Ngày 8 tháng 3 hằng năm",
     "Day 8 in month 3 every year"),
]


@pytest.mark.parametrize(("rule", "vi", "en"), CASES)
def test_rules_in_words(rule, vi, en):
    assert describe(rule, "vi") == vi
    assert describe(rule, "en") == en


def test_hours_are_added_after_the_days():
    assert describe("FREQ=MONTHLY;BYDAY=3TU", "vi", time(8), time(11, 30)) == \
        "Thứ Ba tuần thứ ba hằng tháng, 08:00–11:30"
    assert describe("FREQ=WEEKLY;BYDAY=FR", "en", time(14)) == "Friday every week, 14:00"


def test_other_locales_read_vietnamese():
    assert describe("FREQ=WEEKLY;BYDAY=FR", None) == "Thứ Sáu hằng tuần"
    assert describe("FREQ=WEEKLY;BYDAY=FR", "en_US") == "Friday every week"


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                                  "FREQ=MONTHLY;BYDAY=7TU", "not a rule", ""])
def test_what_cannot_be_said_stays_the_rule(rule):
    assert describe(rule, "vi") == rule.strip()
