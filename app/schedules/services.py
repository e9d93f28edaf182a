"""Periodic schedules: create, preview, edit, stop; the rolling horizon.

A schedule's body is the JSON of ``POST /api/v1/schedules`` (strings as in the API).
Field errors raise a CoreError ``validation_error`` (422), an overlap with another
session of the host one with the code ``overlap`` (409). Warnings are returned as core
errors (``code`` + Vietnamese message) for the caller to show.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from sessions.errors import N_, CoreError, invalid
from sessions.recurrence import (
    Occurrence,
    ScheduleErrors,
    ScheduleParams,
    expand_schedule,
    parse_date,
    validate_schedule_params,
)
from sessions.rules import is_late_publication, schedule_warnings
from sessions.workdays import WorkCalendar

from ..audit.services import record_event
from ..auth.models import RoleAssignment, User
from ..extensions import db
from ..timeutil import local_today, to_utc_naive, utcnow
from ..units.models import Unit
from ..units.services import unit_by_code
from .generation import check_overlap, find_overlap, insert_sessions, sync_sessions, utc_bounds
from .models import Schedule
from .receptions import (  # noqa: F401
    assign_deputy,
    cancel_session,
    create_adhoc_session,
    list_sessions,
    next_public_sessions,
    session_dict,
    unit_scope_ids,
)
from .working_days import horizon_end, work_calendar

__all__ = [
    "assign_deputy", "cancel_session",
    "create_adhoc_session", "create_schedule", "deactivate_schedule", "list_sessions",
    "next_public_sessions", "preview_schedule", "resync_schedules", "schedule_json",
    "session_dict",
    "unit_scope_ids", "update_schedule", "work_calendar",
]
log = logging.getLogger(__name__)
RRULE_COLUMN_LENGTH = 300
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
LOCATION_LENGTH = 300


def _required(field: str) -> CoreError:
    return CoreError("required", N_("Thông tin này là bắt buộc."), field=field)


def parse_unit(value: object, errors: dict) -> Unit | None:
    """The unit named by a ``unit_code`` value, or an error under ``unit_code``."""
    if value is None or value == "":
        errors["unit_code"] = _required("unit_code")
        return None
    unit = unit_by_code(value.strip()) if isinstance(value, str) else None
    if unit is None or not unit.is_active:
        errors["unit_code"] = CoreError("unknown_unit", N_("Không tìm thấy đơn vị có mã này."),
                                        field="unit_code")
        return None
    return unit


def parse_id(value: object) -> int | None:
    """A positive integer id from an int or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 0 < value < 2**31 else None


def user_with_role_at(user_id: int | None, unit: Unit, roles: tuple[str, ...]) -> User | None:
    """The active user ``user_id`` if they hold one of ``roles`` at exactly ``unit``."""
    if user_id is None:
        return None
    return db.session.scalar(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.id == user_id, RoleAssignment.unit_id == unit.id,
               RoleAssignment.role.in_(roles), User.is_active_account.is_(True))
        .options(lazyload(User.roles)))


def parse_host(value: object, unit: Unit | None, errors: dict) -> User | None:
    """The host named by ``host_id``: a host (chairman) of exactly ``unit``."""
    if value is None or value == "":
        errors["host_id"] = _required("host_id")
        return None
    host_id = parse_id(value)
    host = user_with_role_at(host_id, unit, ("host",)) if unit is not None else None
    if host is None and unit is not None or host_id is None:
        errors["host_id"] = CoreError("invalid_host", N_(
            "Người chủ trì phải là Chủ tịch (người chủ trì tiếp) của đơn vị đã chọn."),
            field="host_id")
    return host


def parse_location(data: dict, errors: dict) -> str:
    value = data.get("location") or ""
    if not isinstance(value, str) or len(value) > LOCATION_LENGTH:
        errors["location"] = CoreError("invalid_location", N_(
            "Địa điểm là một đoạn văn bản tối đa 300 ký tự."), field="location")
        return ""
    return value.strip()


def check_date_range(day: date, field: str) -> CoreError | None:
    """An error when ``day`` lies outside the years the application plans for."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return CoreError("date_out_of_range", N_(
        "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2099."), field=field)


def _bound_dates(data: dict, errors: dict) -> dict:
    """``data`` with validity dates outside 2000–2099 reported (and left out)."""
    bounded = dict(data)
    for field in ("valid_from", "valid_until"):
        try:
            error = check_date_range(parse_date(data.get(field)), field)
        except CoreError:
            continue  # the core reports a malformed date
        if error is not None:
            errors[field], bounded[field] = error, None
    return bounded


def parse_schedule_body(data: dict) -> tuple[Unit, User, ScheduleParams, str]:
    """The unit, host, schedule parameters and location of a body, or a validation_error."""
    errors: dict[str, CoreError] = {}
    bounded = _bound_dates(data, errors)
    params = None
    try:
        params = validate_schedule_params(bounded)
    except ScheduleErrors as exc:
        for field, error in exc.errors.items():
            errors.setdefault(field, error)
    unit = parse_unit(data.get("unit_code"), errors)
    host = parse_host(data.get("host_id"), unit, errors)
    location = parse_location(data, errors)
    if params is not None and len(params.rrule) > RRULE_COLUMN_LENGTH:
        errors["rrule"] = CoreError("invalid_rrule", N_(
            "Quy tắc lặp quá dài (tối đa 300 ký tự)."), field="rrule")
    if errors:
        raise invalid(errors)
    return unit, host, params, location


def _expand(params: ScheduleParams, calendar: WorkCalendar) -> list[Occurrence]:
    return expand_schedule(params.rrule, params.start_time, params.duration_minutes,
                           params.valid_from, params.valid_until, params.holiday_policy,
                           calendar)


def _window(params_or_schedule, today: date) -> tuple[date, date]:
    """The days sessions are generated for now: today up to the horizon."""
    return today, min(params_or_schedule.valid_until, horizon_end(today))


def _warnings(unit: Unit, params: ScheduleParams, occurrences: list[Occurrence],
              today: date, calendar: WorkCalendar) -> list[CoreError]:
    """Months below the legal minimum, and sessions published too late."""
    days = [o.starts_at.date() for o in occurrences]
    warnings = schedule_warnings(unit.level, days, params.valid_from, params.valid_until)
    late = []
    # A later day has a later publication deadline: the late days are the first ones.
    for day in sorted(d for d in days if d >= today):
        if not is_late_publication(today, day, calendar):
            break
        late.append(day)
    if late:
        warnings.append(CoreError("late_publication", N_(
            "{count} buổi tiếp (ngày {first}) được công bố muộn hơn 5 ngày làm việc trước "
            "ngày tiếp (Luật Tiếp công dân, Điều 24)."),
            count=len(late), first=", ".join(d.strftime("%d/%m/%Y") for d in late[:3])))
    return warnings


def _fill(schedule: Schedule, unit: Unit, host: User, params: ScheduleParams,
          location: str) -> None:
    schedule.unit_id, schedule.host_id = unit.id, host.id
    for name in ("rrule", "start_time", "duration_minutes", "slot_minutes", "mode",
                 "valid_from", "valid_until", "holiday_policy"):
        setattr(schedule, name, getattr(params, name))
    schedule.location = location


def create_schedule(data: dict, actor) -> tuple[Schedule, list[CoreError]]:
    """Create a periodic schedule and its sessions up to the rolling horizon.

    The sessions are published at once. Returns the schedule and its warnings
    (months below the legal minimum, late publication).
    """
    unit, host, params, location = parse_schedule_body(data)
    today, now, calendar = local_today(), utcnow(), work_calendar()
    occurrences = _expand(params, calendar)
    window = _window(params, today)
    generated = [o for o in occurrences
                 if window[0] <= o.starts_at.date() <= window[1] and to_utc_naive(o.starts_at) > now]
    check_overlap(host.id, [utc_bounds(o) for o in generated])
    schedule = Schedule(created_by_id=getattr(actor, "id", None), generated_until=window[1])
    _fill(schedule, unit, host, params, location)
    db.session.add(schedule)
    db.session.flush()
    insert_sessions(schedule, generated, now)
    record_event("schedule_create", actor=actor, target=f"schedule:{schedule.id}",
                 unit=unit.code, host_id=host.id, rrule=params.rrule, sessions=len(generated))
    return schedule, _warnings(unit, params, occurrences, today, calendar)


def preview_schedule(data: dict) -> tuple[list[Occurrence], list[CoreError]]:
    """The sessions of a schedule body over its whole validity period; nothing is saved.

    An overlap with the host's existing sessions is a warning here, not an error.
    """
    unit, host, params, _location = parse_schedule_body(data)
    calendar = work_calendar()
    occurrences = _expand(params, calendar)
    warnings = _warnings(unit, params, occurrences, local_today(), calendar)
    clash = find_overlap(host.id, [utc_bounds(o) for o in occurrences])
    if clash is not None:
        from .notices import when

        warnings.append(CoreError("overlap", N_(
            "Buổi tiếp {when} trùng thời gian với một buổi tiếp khác của người chủ trì."),
            when=when(clash[0])))
    return occurrences, warnings


def update_schedule(schedule: Schedule, data: dict, actor) -> tuple[Schedule, list[CoreError]]:
    """Change a schedule; its future sessions follow (see generation.sync_sessions).

    Sessions without bookings are regenerated; booked sessions that must move are
    rescheduled with notice to their citizens. The unit cannot change.
    """
    unit, host, params, location = parse_schedule_body(data)
    if unit.id != schedule.unit_id:
        raise invalid({"unit_code": CoreError("unit_locked", N_(
            "Không thể chuyển lịch sang đơn vị khác; hãy tạo lịch mới."), field="unit_code")})
    today, calendar = local_today(), work_calendar()
    _fill(schedule, unit, host, params, location)
    schedule.is_active = True
    occurrences = _expand(params, calendar)
    window = _window(params, today)
    in_window = [o for o in occurrences if window[0] <= o.starts_at.date() <= window[1]]
    notices = sync_sessions(schedule, in_window, now=utcnow(), actor=actor)
    schedule.generated_until = window[1]
    db.session.flush()
    record_event("schedule_update", actor=actor, target=f"schedule:{schedule.id}",
                 rrule=params.rrule, host_id=host.id, notices=[n.code for n in notices])
    return schedule, _warnings(unit, params, occurrences, today, calendar) + notices


def deactivate_schedule(schedule: Schedule, actor) -> list[CoreError]:
    """Stop a schedule: future sessions without bookings go, booked ones are kept."""
    notices = sync_sessions(schedule, [], now=utcnow(), actor=actor)
    schedule.is_active = False
    db.session.flush()
    record_event("schedule_stop", actor=actor, target=f"schedule:{schedule.id}",
                 kept=len(notices))
    return notices


def resync_schedules(day: date, actor) -> list[CoreError]:
    """Make the active schedules whose sessions may be affected by ``day`` follow the
    working-day calendar again (after an admin adds or removes a day off)."""
    today, now = local_today(), utcnow()
    # A day off moves sessions forward; a make-up day may attract sessions shifted
    # from up to two weeks before it (Tết).
    schedules = db.session.scalars(select(Schedule).where(
        Schedule.is_active.is_(True), Schedule.valid_from <= day,
        Schedule.valid_until >= day - timedelta(days=14)).order_by(Schedule.id))
    notices: list[CoreError] = []
    for schedule in schedules:
        end = schedule.generated_until or today
        if end < today:
            continue
        occurrences = expand_schedule(
            schedule.rrule, schedule.start_time, schedule.duration_minutes,
            schedule.valid_from, schedule.valid_until, schedule.holiday_policy,
            work_calendar(), window=(today, end))
        try:
            notices += sync_sessions(schedule, occurrences, now=now, actor=actor)
        except CoreError as exc:
            if exc.code != "overlap":
                raise
            log.warning("schedule %s cannot follow the calendar: overlap %s",
                        schedule.id, exc.params["other_id"])
    return notices


def extend_all_horizons(now: datetime | None = None) -> int:
    """Generate every active schedule's sessions up to the rolling horizon (idempotent)."""
    from .generation import extend_schedule

    now = now or utcnow()
    today = local_today()
    created = 0
    schedules = db.session.scalars(select(Schedule).where(
        Schedule.is_active.is_(True), Schedule.valid_until >= today).order_by(Schedule.id))
    for schedule in schedules:
        end = min(schedule.valid_until, horizon_end(today))
        if schedule.generated_until is not None and schedule.generated_until >= end:
            continue
        start = max(today, schedule.valid_from)
        occurrences = expand_schedule(
            schedule.rrule, schedule.start_time, schedule.duration_minutes,
            schedule.valid_from, schedule.valid_until, schedule.holiday_policy,
            work_calendar(), window=(start, end))
        created += extend_schedule(schedule, occurrences, now)
        schedule.generated_until = end
    db.session.flush()
    return created


def schedule_json(schedule: Schedule) -> dict:
    """A schedule as the API gives it (and the edit form starts from)."""
    return {"id": schedule.id, "unit_code": schedule.unit.code, "host_id": schedule.host_id,
            "rrule": schedule.rrule, "start_time": schedule.start_time.strftime("%H:%M"),
            "duration_minutes": schedule.duration_minutes,
            "slot_minutes": schedule.slot_minutes, "mode": schedule.mode,
            "valid_from": schedule.valid_from.isoformat(),
            "valid_until": schedule.valid_until.isoformat(),
            "holiday_policy": schedule.holiday_policy, "location": schedule.location,
            "is_active": schedule.is_active,
            "generated_until": schedule.generated_until.isoformat()
            if schedule.generated_until else None}
