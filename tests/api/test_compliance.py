"""GET /api/v1/compliance?unit=&month=."""

from __future__ import annotations

from datetime import date

import pytest

from tests.schedules.helpers import add_session


def test_rows_per_host_exactly_as_the_contract(api, place):
    for day in (date(2026, 8, 12), date(2026, 8, 26)):
        add_session(place.commune, place.commune_chairman, day, status="held")
    response = api.get("/compliance?unit=02269&month=2026-08", user=place.secretary)
    assert response.status_code == 200
    [row] = response.get_json()
    # CONTRACT §3's keys, plus the days hosted by a deputy (counted apart).
    assert set(row) == {"host_id", "required_days", "scheduled_days", "held_days", "compliant",
                        "rule", "deputy_days", "deputy_days_not_counted"}
    assert (row["deputy_days"], row["deputy_days_not_counted"]) == (0, 0)
    assert (row["host_id"], row["required_days"], row["held_days"], row["compliant"]) == (
        place.commune_chairman.id, 2, 2, True)


def test_june_2026_still_needed_a_day_a_week(api, place):
    add_session(place.commune, place.commune_chairman, date(2026, 6, 10), status="held")
    [row] = api.get("/compliance?unit=02269&month=2026-06", user=place.secretary).get_json()
    assert (row["required_days"], row["held_days"], row["compliant"]) == (4, 1, False)


@pytest.mark.parametrize(("who", "unit", "status"), [
    (None, "08", 401), ("citizen", "08", 403), ("officer", "08", 403), ("secretary", "08", 200),
    ("chairman", "08", 200), ("chairman", "02269", 200), ("commune_chairman", "08", 403),
    ("commune_chairman", "02269", 200), ("admin", "08", 200)])
def test_who_may_see_compliance(api, make, place, who, unit, status):
    users = {"citizen": make.make_user,
             "officer": lambda: make.make_user("officer", unit=place.province),
             "secretary": lambda: place.secretary, "chairman": lambda: place.chairman,
             "commune_chairman": lambda: place.commune_chairman,
             "admin": lambda: make.make_user("admin")}
    user = users[who]() if who else None
    assert api.get(f"/compliance?unit={unit}&month=2026-08", user=user).status_code == status


@pytest.mark.parametrize(("query", "status"), [
    ("unit=08&month=2026-13", 422), ("unit=08&month=08/2026", 422), ("unit=08", 422),
    ("month=2026-08", 422), ("unit=77&month=2026-08", 404)])
def test_bad_queries(api, place, query, status):
    assert api.get(f"/compliance?{query}", user=place.secretary).status_code == status
