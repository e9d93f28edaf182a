"""Working days from the database: the holidays package plus the administrators' overrides."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from sessions.errors import N_, CoreError, invalid
from sessions.recurrence import parse_date
from sessions.workdays import WorkCalendar

from ..audit.services import record_event
from ..extensions import db
from ..timeutil import local_today
from .models import HolidayOverride

OVERRIDE_KINDS = ("off", "work")
_cache: dict[tuple, WorkCalendar] = {}
_cache_lock = threading.Lock()
# session.info key: (root transaction, its calendar), so that a transaction creating
# many schedules (a province's year, the horizon job) reads the overrides once.
_IN_TRANSACTION = "work_calendar"


def work_calendar() -> WorkCalendar:
    """The working-day calendar: package holidays plus the HolidayOverride rows.

    One calendar is kept per set of overrides, so the package is read once per
    year and process, not once per request; the overrides are read once per
    transaction (adding or removing one forgets the transaction's calendar).
    """
    session = db.session()
    held = session.info.get(_IN_TRANSACTION)
    if held is not None and held[0] is session.get_transaction():
        return held[1]
    calendar = _calendar_from_database()
    session.info[_IN_TRANSACTION] = (session.get_transaction(), calendar)
    return calendar


@event.listens_for(Session, "after_soft_rollback")
def _forget_calendar(session, _previous_transaction) -> None:
    session.info.pop(_IN_TRANSACTION, None)


def _calendar_from_database() -> WorkCalendar:
    rows = db.session.execute(select(HolidayOverride.day, HolidayOverride.kind,
                                     HolidayOverride.name).order_by(HolidayOverride.day))
    key = tuple((day, kind, name or "") for day, kind, name in rows)
    with _cache_lock:
        calendar = _cache.get(key)
        if calendar is None:
            calendar = WorkCalendar(
                days_off=[d for d, k, _n in key if k == "off"],
                workdays=[d for d, k, _n in key if k == "work"],
                names={d: n for d, k, n in key if k == "off" and n})
            _cache.clear()
            _cache[key] = calendar
    return calendar


def horizon_end(today: date | None = None) -> date:
    """The last day sessions are generated for (the rolling horizon)."""
    days = int(current_app.config.get("SCHEDULE_HORIZON_DAYS", 400))
    return (today or local_today()) + timedelta(days=days)


@dataclass(frozen=True)
class HolidayRow:
    """One line of the holidays page: a package holiday, make-up day or override."""

    day: date
    name: str
    kind: str  # "off" or "work"
    source: str  # "package" or "override"
    override_id: int | None = None


def holidays_of_year(year: int) -> list[HolidayRow]:
    """The package's days off and make-up days of ``year``, then the overrides, by day."""
    import holidays

    package = holidays.country_holidays("VN", years=year, language="vi")
    rows = [HolidayRow(d, n, "off", "package") for d, n in package.items() if d.year == year]
    rows += [HolidayRow(d, "", "work", "package") for d in package.weekend_workdays
             if d.year == year]
    overrides = db.session.scalars(select(HolidayOverride).where(
        HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31)))
    rows += [HolidayRow(o.day, o.name, o.kind, "override", o.id) for o in overrides]
    return sorted(rows, key=lambda r: (r.day, r.source))


def _override_errors(data: dict) -> tuple[dict, dict]:
    errors: dict[str, CoreError] = {}
    values = {}
    try:
        values["day"] = parse_date(data.get("day"))
    except CoreError as error:
        errors["day"] = error
    if "day" in values and not date(2000, 1, 1) <= values["day"] <= date(2099, 12, 31):
        errors["day"] = CoreError("date_out_of_range", N_(
            "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2099."), field="day")
        del values["day"]
    kind = data.get("kind")
    if kind not in OVERRIDE_KINDS:
        errors["kind"] = CoreError("invalid_kind", N_(
            "Loại điều chỉnh phải là ngày nghỉ hoặc ngày làm việc bù."), field="kind")
    values["kind"] = kind
    name = data.get("name") or ""
    if not isinstance(name, str) or len(name) > 200:
        errors["name"] = CoreError("invalid_name", N_("Tên ngày tối đa 200 ký tự."),
                                   field="name")
    values["name"] = name.strip() if isinstance(name, str) else ""
    if "day" in values and db.session.scalar(
            select(HolidayOverride.id).where(HolidayOverride.day == values["day"])):
        errors["day"] = CoreError("override_exists", N_(
            "Ngày này đã có điều chỉnh; hãy xóa điều chỉnh cũ trước."), field="day")
    return values, errors


def add_holiday_override(data: dict, actor) -> tuple[HolidayOverride, list[CoreError]]:
    """Add a day off or make-up working day; future sessions follow it.

    Returns the override and the notices of the sessions that moved.
    """
    values, errors = _override_errors(data)
    if errors:
        raise invalid(errors)
    override = HolidayOverride(day=values["day"], kind=values["kind"], name=values["name"],
                               created_by_id=getattr(actor, "id", None))
    db.session.add(override)
    db.session.flush()
    db.session().info.pop(_IN_TRANSACTION, None)
    record_event("holiday_override_add", actor=actor, target=f"holiday:{override.day}",
                 kind=override.kind, name=override.name)
    return override, _resync_around(override.day, actor)


def remove_holiday_override(override: HolidayOverride, actor) -> list[CoreError]:
    """Remove an override; future sessions follow the calendar again."""
    day, kind = override.day, override.kind
    db.session.delete(override)
    db.session.flush()
    db.session().info.pop(_IN_TRANSACTION, None)
    record_event("holiday_override_remove", actor=actor, target=f"holiday:{day}", kind=kind)
    return _resync_around(day, actor)


def _resync_around(day: date, actor) -> list[CoreError]:
    from .services import resync_schedules

    return resync_schedules(day, actor)
