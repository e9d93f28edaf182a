"""Compliance with the minimum frequency (app/schedules/compliance.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.schedules.compliance import is_held, unit_compliance
from app.timeutil import local_today, utcnow
from tests.schedules.helpers import add_session


def row_for(unit, host, year, month):
    return next(r for r in unit_compliance(unit, year, month) if r.host.id == host.id)


def test_a_commune_needed_a_day_a_week_until_june_2026(place):
    for day in (date(2026, 6, 3), date(2026, 6, 10)):
        add_session(place.commune, place.commune_chairman, day, status="held")
    row = row_for(place.commune, place.commune_chairman, 2026, 6)
    assert (row.result.required_days, row.result.held_days) == (4, 2)
    assert not row.result.compliant
    assert "tuần" in row.rule_text


def test_a_commune_needs_two_days_a_month_from_july_2026(place):
    for day in (date(2026, 8, 12), date(2026, 8, 26)):
        add_session(place.commune, place.commune_chairman, day)  # ended, not cancelled
    row = row_for(place.commune, place.commune_chairman, 2026, 8)
    assert (row.result.required_days, row.result.held_days) == (2, 2)
    assert row.result.compliant and "136/2025" in row.rule_text


def test_a_past_month_counts_held_days_not_scheduled_ones(place):
    add_session(place.commune, place.commune_chairman, date(2026, 8, 12))
    add_session(place.commune, place.commune_chairman, date(2026, 8, 26), status="cancelled")
    row = row_for(place.commune, place.commune_chairman, 2026, 8)
    assert (row.result.scheduled_days, row.result.held_days) == (1, 1)
    assert not row.result.compliant


def test_a_future_month_counts_scheduled_days(place):
    month = (local_today().replace(day=1) + timedelta(days=70)).replace(day=1)
    add_session(place.province, place.chairman, month + timedelta(days=14))
    row = row_for(place.province, place.chairman, month.year, month.month)
    assert (row.result.required_days, row.result.scheduled_days, row.result.held_days) == (
        1, 1, 0)
    assert row.result.compliant


def test_ad_hoc_sessions_do_not_count(place):
    add_session(place.province, place.chairman, date(2026, 8, 12), kind="adhoc")
    row = row_for(place.province, place.chairman, 2026, 8)
    assert row.result.held_days == 0 and not row.result.compliant


def test_deputies_who_hosted_are_shown_and_counted_until_june_2026(place):
    add_session(place.province, place.chairman, date(2026, 5, 15),
                acting_host_id=place.deputy.id, deputy_authorisation="GUQ 12/UBND")
    row = row_for(place.province, place.chairman, 2026, 5)
    assert row.result.held_days == 1 and row.result.compliant
    assert row.deputies == [(place.deputy.full_name, 1)]
    assert (row.deputy_days, row.deputy_days_not_counted) == (1, 0)


def test_a_deputys_day_is_not_the_chairmans_own_from_july_2026(place):
    """Law 136/2025 (as reported): no delegating reception to a deputy."""
    add_session(place.province, place.chairman, date(2026, 9, 15),
                acting_host_id=place.deputy.id, deputy_authorisation="GUQ 12/UBND")
    row = row_for(place.province, place.chairman, 2026, 9)
    assert (row.result.scheduled_days, row.result.held_days) == (0, 0)
    assert not row.result.compliant
    assert row.deputies == [(place.deputy.full_name, 1)]
    assert (row.deputy_days, row.deputy_days_not_counted) == (1, 1)
    assert row.to_dict()["deputy_days"] == 1
    add_session(place.province, place.chairman, date(2026, 9, 22), status="held")
    row = row_for(place.province, place.chairman, 2026, 9)
    assert (row.result.held_days, row.deputy_days, row.deputy_days_not_counted) == (1, 1, 1)
    assert row.result.compliant


@pytest.mark.parametrize(("status", "days_ago", "held"), [
    ("held", -3, True), ("scheduled", 3, True), ("live", 3, True), ("cancelled", 3, False),
    ("scheduled", -3, False)])
def test_what_counts_as_held(place, status, days_ago, held):
    reception = add_session(place.province, place.chairman,
                            local_today() - timedelta(days=days_ago), status=status)
    assert is_held(reception, utcnow()) is held
