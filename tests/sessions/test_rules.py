"""Tests of sessions/rules.py: minimum frequency, compliance, deadlines, refusals, groups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sessions.errors import CoreError
from sessions.rules import (
    DEFAULT_GROUNDS,
    DEFAULT_RULES,
    REFUSAL_GROUNDS,
    SESSION_GROUNDS,
    Rule,
    answer_deadline,
    delegation_rule,
    grounds_in_force,
    is_late_publication,
    max_representatives,
    may_delegate,
    month_compliance,
    needs_written_notice,
    publication_deadline,
    refusal_notice_deadline,
    required_days,
    rule_for,
    schedule_warnings,
    validate_group,
    validate_refusal_ground,
)
from sessions.workdays import WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def wednesdays(year: int, month: int) -> list[date]:
    """Every Wednesday of a month."""
    day = date(year, month, 1)
    day += timedelta(days=(2 - day.weekday()) % 7)
    found = []
    while day.month == month:
        found.append(day)
        day += timedelta(weeks=1)
    return found


# --- the rulebook ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("level", "on", "min_days", "per"),
    [
        ("province", date(2026, 6, 30), 1, "month"),
        ("province", date(2028, 1, 1), 1, "month"),
        ("commune", date(2026, 6, 30), 1, "week"),
        ("commune", date(2026, 7, 1), 2, "month"),
        ("district", date(2025, 6, 30), 2, "month"),
    ],
)
def test_rule_in_force(level, on, min_days, per):
    rule = rule_for(level, on)
    assert (rule.min_days, rule.per) == (min_days, per)


@pytest.mark.parametrize(
    ("level", "on"), [("district", date(2025, 7, 1)), ("ward", date(2027, 1, 1))]
)
def test_no_rule_for_abolished_or_unknown_levels(level, on):
    assert rule_for(level, on) is None
    assert required_days(level, on.year, on.month) == (0, None)


@pytest.mark.parametrize(
    ("level", "year", "month", "required"),
    [
        ("commune", 2026, 1, 5),  # Thursdays 1, 8, 15, 22, 29
        ("commune", 2026, 2, 4),
        ("commune", 2026, 4, 5),  # Thursdays 2, 9, 16, 23, 30
        ("commune", 2026, 6, 4),  # Thursdays 4, 11, 18, 25
        ("commune", 2026, 7, 2),
        ("commune", 2026, 8, 2),
        ("commune", 2027, 2, 2),
        ("province", 2027, 2, 1),
        ("province", 2028, 12, 1),
        ("district", 2025, 6, 2),
    ],
)
def test_required_days(level, year, month, required):
    assert required_days(level, year, month)[0] == required


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_a_weekly_rule_counts_iso_weeks_whose_thursday_is_in_the_month(year, month):
    weekly = (Rule("commune", 1, "week", date(2020, 1, 1), None, "test"),)
    days = [date(year, month, 1) + timedelta(days=i) for i in range(31)]
    weeks = {d.isocalendar()[:2] for d in days if d.month == month and d.weekday() == 3}
    assert required_days("commune", year, month, weekly)[0] == len(weeks)


def test_a_rule_changing_mid_month_applies_from_the_next_month():
    rules = (
        Rule("commune", 1, "week", date(2020, 1, 1), date(2027, 3, 14), "old"),
        Rule("commune", 3, "month", date(2027, 3, 15), None, "new"),
    )
    assert required_days("commune", 2027, 3, rules) == (4, rules[0])
    assert required_days("commune", 2027, 4, rules) == (3, rules[1])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"per": "day"},
        {"min_days": -1},
        {"effective_until": date(2019, 12, 31)},
    ],
)
def test_a_malformed_rule_is_refused(kwargs):
    values = {"level": "commune", "min_days": 1, "per": "week",
              "effective_from": date(2020, 1, 1), "effective_until": None, "source": "x"}
    with pytest.raises(CoreError) as caught:
        Rule(**{**values, **kwargs})
    assert caught.value.field == next(iter(kwargs))


def test_a_rule_describes_itself():
    rule = rule_for("commune", date(2026, 8, 1))
    assert rule.describe() == "Ít nhất 2 ngày mỗi tháng (Luật số 136/2025/QH15)"
    assert rule.describe(lambda text: text.replace("Ít nhất", "At least")).startswith("At least 2")


# --- compliance --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("month", "scheduled", "compliant"),
    [
        (6, wednesdays(2026, 6), True),  # 4 weeks, 4 Wednesdays
        (6, wednesdays(2026, 6)[:3], False),
        (8, wednesdays(2026, 8)[1::2], True),  # 2 days a month from July 2026
        (8, wednesdays(2026, 8)[:1], False),
    ],
)
def test_commune_before_and_after_july_2026(month, scheduled, compliant):
    result = month_compliance("commune", 2026, month, scheduled, [], today=date(2026, 5, 1))
    assert result.compliant is compliant
    assert result.scheduled_days == len(scheduled)


def test_province_needs_one_day_a_month():
    result = month_compliance("province", 2027, 2, [date(2027, 2, 16)], [], date(2027, 1, 5))
    assert (result.required_days, result.scheduled_days, result.compliant) == (1, 1, True)
    assert result.rule.source.endswith("Điều 12 khoản 5")


def test_a_past_month_is_judged_on_the_days_held():
    scheduled = [date(2026, 8, 12), date(2026, 8, 26)]
    result = month_compliance("commune", 2026, 8, scheduled, scheduled[:1], date(2026, 9, 10))
    assert (result.scheduled_days, result.held_days, result.compliant) == (2, 1, False)


@pytest.mark.parametrize("today", [date(2026, 8, 31), date(2026, 7, 1)])
def test_current_and_future_months_are_judged_on_the_days_scheduled(today):
    scheduled = [date(2026, 8, 12), date(2026, 8, 26)]
    result = month_compliance("commune", 2026, 8, scheduled, [], today)
    assert (result.held_days, result.compliant) == (0, True)


def test_only_distinct_dates_of_the_month_count():
    scheduled = [date(2026, 8, 12), date(2026, 8, 12), date(2026, 9, 9), date(2025, 8, 13)]
    result = month_compliance("commune", 2026, 8, scheduled, [], date(2026, 8, 1))
    assert (result.scheduled_days, result.compliant) == (1, False)


def test_schedule_warnings_name_each_short_month():
    dates = [d for m in (6, 7, 8) for d in wednesdays(2026, m)[1:4:2]]  # 2WE and 4WE
    warnings = schedule_warnings("commune", dates, date(2026, 6, 1), date(2026, 8, 31))
    assert [(w.code, w.params["month"]) for w in warnings] == [("below_minimum", "2026-06")]
    assert (warnings[0].params["required"], warnings[0].params["scheduled"]) == (4, 2)
    assert "06/2026" in warnings[0].message


def test_schedule_warnings_skip_months_partly_outside_the_period():
    dates = [date(2026, 7, 15), date(2026, 8, 19)]
    warnings = schedule_warnings("commune", dates, date(2026, 7, 2), date(2026, 8, 31))
    assert [w.params["month"] for w in warnings] == ["2026-08"]


def test_the_default_rules_meet_the_demo_schedules():
    assert DEFAULT_RULES
    assert schedule_warnings("province", [date(2026, 7, 21)], date(2026, 7, 1),
                             date(2026, 7, 31)) == []


# --- deadlines in working days --------------------------------------------------------------

@pytest.mark.parametrize(
    ("session_day", "deadline"),
    [
        (date(2026, 9, 3), date(2026, 8, 24)),  # 31/8, 1/9, 2/9 off
        (date(2027, 2, 16), date(2027, 2, 2)),  # Tết 2027
        (date(2028, 2, 1), date(2028, 1, 18)),  # Tết 2028
        (date(2027, 6, 15), date(2027, 6, 8)),
    ],
)
def test_publication_deadline(cal, session_day, deadline):
    assert publication_deadline(session_day, cal) == deadline
    assert not is_late_publication(deadline, session_day, cal)
    assert is_late_publication(deadline + timedelta(days=1), session_day, cal)


@pytest.mark.parametrize(
    ("reception_day", "deadline"),
    [
        (date(2027, 2, 3), date(2027, 2, 24)),
        (date(2026, 8, 20), date(2026, 9, 7)),  # counts Saturday 22/8, skips 31/8–2/9
        (date(2028, 11, 21), date(2028, 12, 6)),  # Culture Day 24/11/2028 is a Friday
    ],
)
def test_answer_deadline(cal, reception_day, deadline):
    assert answer_deadline(reception_day, cal) == deadline


def test_refusal_notice_deadline(cal):
    # 27/4/2026 (Hùng Kings in lieu), 30/4 and 1/5 are off.
    assert refusal_notice_deadline(date(2026, 4, 24), cal) == date(2026, 5, 4)


# --- refusal grounds and groups ------------------------------------------------------------

def test_refusal_grounds():
    assert set(REFUSAL_GROUNDS) == {
        "intoxicated", "threatening", "already_settled", "weapons", "security_check",
        "recording_forbidden", "disorder", "incapable_without_representative",
        "unproven_representation", "outside_scope", "already_answered", "final_judgment",
        "pending_elsewhere"}
    assert [code for code in REFUSAL_GROUNDS if needs_written_notice(code)] == [
        "already_settled", "already_answered"]
    assert validate_refusal_ground("weapons") == "weapons"


def test_grounds_arise_at_triage_or_at_the_session():
    assert set(SESSION_GROUNDS) == {"intoxicated", "threatening", "weapons", "security_check",
                                    "recording_forbidden", "disorder"}
    assert validate_refusal_ground("weapons", "session") == "weapons"
    assert validate_refusal_ground("already_answered", "triage") == "already_answered"
    for code, arises in (("weapons", "triage"), ("already_settled", "session")):
        with pytest.raises(CoreError) as caught:
            validate_refusal_ground(code, arises)
        assert caught.value.field == "ground"
    sources = {g.code: g.source for g in DEFAULT_GROUNDS}
    assert sources["already_settled"] == "Luật Tiếp công dân, Điều 9 khoản 3"
    assert sources["incapable_without_representative"].endswith("điểm đ")
    assert [g.code for g in grounds_in_force(date(2026, 8, 1), arises="session")] == [
        "intoxicated", "threatening", "weapons", "security_check", "recording_forbidden",
        "disorder"]


def test_delegation_to_a_deputy_ends_on_1_july_2026():
    assert may_delegate(date(2026, 6, 30)) is True
    assert may_delegate(date(2026, 7, 1)) is False
    assert "136/2025" in delegation_rule(date(2026, 7, 1)).source
    assert may_delegate(date(2026, 7, 1), ()) is True  # no rule: nothing forbids it


@pytest.mark.parametrize("code", ["drunk", None, ""])
def test_unknown_refusal_ground(code):
    with pytest.raises(CoreError) as caught:
        validate_refusal_ground(code)
    assert (caught.value.code, caught.value.field) == ("invalid_ground", "ground")


@pytest.mark.parametrize(("size", "allowed"), [(1, 1), (4, 1), (5, 2), (10, 2), (11, 5), (300, 5)])
def test_max_representatives(size, allowed):
    assert max_representatives(size) == allowed
    validate_group(size, allowed)


@pytest.mark.parametrize(
    ("size", "count", "field", "code"),
    [
        (0, 0, "group_size", "invalid_group_size"),
        (True, 1, "group_size", "invalid_group_size"),
        (5, -1, "representatives", "invalid_representatives"),
        (5, 0, "representatives", "representatives_required"),
        (3, 2, "representatives", "too_many_representatives"),
        (10, 3, "representatives", "too_many_representatives"),
        (11, 6, "representatives", "too_many_representatives"),
    ],
)
def test_invalid_groups(size, count, field, code):
    with pytest.raises(CoreError) as caught:
        validate_group(size, count)
    assert (caught.value.field, caught.value.code) == (field, code)


@pytest.mark.parametrize("size", [1, 4])
def test_a_small_group_may_come_without_representative(size):
    assert validate_group(size, 0) is None
