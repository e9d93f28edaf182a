"""Times: stored in UTC, shown in Asia/Ho_Chi_Minh, dates dd/mm/yyyy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# How far this process's clock is moved (`flask jobs run NAME --today`): zero but there.
_shift = timedelta(0)


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (the form stored in the database)."""
    return datetime.now(UTC).replace(tzinfo=None) + _shift


@contextmanager
def today_in_vietnam(day: date) -> Iterator[None]:
    """Within the block, now is the same time of day on ``day`` in Vietnam.

    For running a scheduled job by hand as if on another date (development and testing
    only: `flask jobs run NAME --today`); every ``utcnow`` and ``local_today`` follows.
    """
    global _shift
    before = _shift
    _shift = timedelta(days=(day - datetime.now(LOCAL_TZ).date()).days)
    try:
        yield
    finally:
        _shift = before


def to_utc_naive(moment: datetime) -> datetime:
    """An aware datetime (any zone) as naive UTC; a naive one is taken as local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC datetime as an aware local datetime."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_today() -> date:
    return (datetime.now(LOCAL_TZ) + _shift).date()


def iso_local(moment: datetime | None) -> str | None:
    """ISO 8601 with offset, in local time: 2027-02-16T08:00:00+07:00."""
    local = to_local(moment)
    return local.isoformat(timespec="seconds") if local else None


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 datetime; a value without offset is taken as local time."""
    value = datetime.fromisoformat(str(text).strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value
