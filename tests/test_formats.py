"""The date filters' fast paths write exactly what Babel writes, in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime

from app.timeutil import to_local
from app.web import _NUMERIC_PATTERNS, localdate, localdt


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_localdt_and_localdate_match_babel(app, locale):
    patterns = [*_NUMERIC_PATTERNS, "EEEE, dd/MM/yyyy", "EEEE, HH:mm"]
    moment = datetime(2026, 1, 1, 0, 5, 9)
    with app.test_request_context(), force_locale(locale):
        for _ in range(200):  # every weekday and hour, across the year
            moment += timedelta(hours=17, minutes=13, seconds=7)
            for pattern in patterns:
                assert localdt(moment, pattern) == format_datetime(to_local(moment), pattern)
            for pattern in ("dd/MM/yyyy", "yyyy-MM-dd", "EEEE dd/MM"):
                day = moment.date()
                assert localdate(day, pattern) == format_date(day, pattern)
        assert localdt(None) == "" and localdate(None) == ""
