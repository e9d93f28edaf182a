"""Tests of sessions/tasks.py: the task state machine, deadlines, reminders, redaction."""

from __future__ import annotations

from datetime import date

import pytest

from sessions.errors import CoreError
from sessions.tasks import (
    is_on_time,
    is_overdue,
    redact_personal_data,
    reminder_stage,
    report_status,
    review_status,
    validate_due_date,
    validate_text,
)
from sessions.workdays import WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize(("current", "target", "expected"), [
    ("assigned", "in_progress", "in_progress"),
    ("assigned", "done", "done"),
    ("in_progress", "done", "done"),
    ("in_progress", "in_progress", "in_progress"),
    ("returned", "in_progress", "in_progress"),
    ("returned", "done", "done"),
])
def test_allowed_reports(current, target, expected):
    assert report_status(current, target) == expected


@pytest.mark.parametrize(("current", "target"), [
    ("done", "done"), ("done", "in_progress"), ("accepted", "done"),
    ("accepted", "in_progress"),
])
def test_refused_reports_are_invalid_state(current, target):
    with pytest.raises(CoreError) as caught:
        report_status(current, target)
    assert caught.value.code == "invalid_state"


@pytest.mark.parametrize("target", ["accepted", "returned", "assigned", "", None, 3])
def test_unknown_report_target(target):
    with pytest.raises(CoreError) as caught:
        report_status("assigned", target)
    assert caught.value.code == "invalid_status"


@pytest.mark.parametrize(("decision", "expected"), [("accept", "accepted"),
                                                    ("return", "returned")])
def test_review_of_a_reported_result(decision, expected):
    assert review_status("done", decision) == expected


@pytest.mark.parametrize("current", ["assigned", "in_progress", "returned", "accepted"])
def test_review_needs_a_reported_result(current):
    with pytest.raises(CoreError) as caught:
        review_status(current, "accept")
    assert caught.value.code == "invalid_state"


def test_review_with_an_unknown_decision():
    with pytest.raises(CoreError) as caught:
        review_status("done", "approve")
    assert caught.value.code == "invalid_decision"


@pytest.mark.parametrize(("status", "due", "today", "expected"), [
    ("assigned", date(2027, 3, 1), date(2027, 3, 2), True),
    ("returned", date(2027, 3, 1), date(2027, 3, 2), True),
    ("in_progress", date(2027, 3, 2), date(2027, 3, 2), False),
    ("done", date(2027, 3, 1), date(2027, 3, 9), False),
    ("accepted", date(2027, 3, 1), date(2027, 3, 9), False),
])
def test_overdue_is_derived(status, due, today, expected):
    assert is_overdue(status, due, today) is expected


def test_on_time():
    assert is_on_time(date(2027, 3, 5), date(2027, 3, 5)) is True
    assert is_on_time(date(2027, 3, 5), date(2027, 3, 6)) is False
    assert is_on_time(date(2027, 3, 5), None) is None


@pytest.mark.parametrize(("today", "expected"), [
    (date(2027, 3, 4), None),          # Thursday: 4 working days before Wednesday 10th
    (date(2027, 3, 5), "3d"),          # Friday: 3 working days before
    (date(2027, 3, 8), "3d"),
    (date(2027, 3, 9), "1d"),          # the day before
    (date(2027, 3, 10), "1d"),         # the due day itself
    (date(2027, 3, 11), None),         # past due: escalation's business
])
def test_reminder_stage(cal, today, expected):
    assert reminder_stage(date(2027, 3, 10), today, cal) == expected


def test_reminder_stage_skips_holidays(cal):
    # Due Monday 4 May 2026: 27/4, 30/4 and 1/5 are days off, so the working days
    # before it are 29/4, 28/4 and 24/4.
    assert reminder_stage(date(2026, 5, 4), date(2026, 4, 24), cal) == "3d"
    assert reminder_stage(date(2026, 5, 4), date(2026, 4, 23), cal) is None


@pytest.mark.parametrize(("value", "code"), [
    ("2027-02-30", "invalid_date"), ("ngày mai", "invalid_date"), (20270301, "invalid_date"),
    (None, "invalid_date"), ("2027-02-28", "date_in_past"), ("9999-12-31", "date_too_far"),
])
def test_invalid_due_dates(value, code):
    with pytest.raises(CoreError) as caught:
        validate_due_date(value, date(2027, 3, 1))
    assert (caught.value.code, caught.value.field) == (code, "due_date")


def test_due_date_today_is_allowed():
    assert validate_due_date("2027-03-01", date(2027, 3, 1)) == date(2027, 3, 1)


@pytest.mark.parametrize(("value", "code"), [("", "required"), ("  ", "required"),
                                             (5, "invalid_text"), ("x" * 11, "too_long")])
def test_text_validation(value, code):
    with pytest.raises(CoreError) as caught:
        validate_text(value, "description", 10)
    assert caught.value.code == code


def test_optional_text_may_be_missing():
    assert validate_text(None, "result", 10, required=False) == ""


def test_redaction_masks_numbers_emails_and_names():
    text = ("Ông Nguyễn Văn An, SĐT 0912 345 678, CCCD 008090001234, "
            "email an.nguyen@example.com, đề nghị cấp sổ đỏ năm 2020.")
    redacted = redact_personal_data(text, ["Nguyễn Văn An"])
    assert "Nguyễn Văn An" not in redacted and "N*** V** A*" in redacted
    assert "*******678" in redacted and "*********234" in redacted
    assert "a***@example.com" in redacted
    assert "năm 2020" in redacted
