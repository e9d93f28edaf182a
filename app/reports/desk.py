"""The desk ("Bàn làm việc"): the start page of secretaries and chairmen.

A secretary sees today's sessions of her units, the bookings waiting for triage and the
tasks past their due date; a chairman (or his deputy) sees the sessions he hosts today
and the queue of the next one. Rows carry no citizen's name: the tracking code and the
matter are enough to find the case, so the identity rule has nothing to hide here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select

from sessions.tasks import OPEN_STATUSES as OPEN_TASK_STATUSES

from ..auth.access import scoped_unit_ids
from ..bookings import queries, refusal_notices
from ..bookings.models import Booking, BookingStatus
from ..extensions import db
from ..schedules.models import ReceptionSession, SessionStatus
from ..tasks.models import Task
from .services import utc_bounds

SECRETARY_ROLES = ("secretary",)
#: Who sees the secretary's lists (an administrator sees those of every unit).
DESK_ROLES = ("secretary", "admin")
HOST_ROLES = ("host", "deputy")
#: Queue of the next session: bookings that will be seen.
QUEUED = (BookingStatus.ACCEPTED, BookingStatus.SERVED)


def _secretary_units(user) -> set[int] | None:
    """Units (and those below) of the secretary; None for every unit (admin)."""
    ids = scoped_unit_ids(user, *SECRETARY_ROLES)
    return None if ids is None else queries.units_below(ids)


def _hosted_by(user):
    return or_(ReceptionSession.host_id == user.id, ReceptionSession.acting_host_id == user.id)


def todays_sessions(user, today: date, as_host: bool) -> list[ReceptionSession]:
    """Sessions held today that ``user`` works: hosts (chairman) or of her units."""
    low, high = utc_bounds(today, today)
    query = (select(ReceptionSession)
             .where(ReceptionSession.starts_at >= low, ReceptionSession.starts_at < high,
                    ReceptionSession.status != SessionStatus.CANCELLED)
             .order_by(ReceptionSession.starts_at, ReceptionSession.id))
    if as_host:
        query = query.where(_hosted_by(user))
    else:
        units = _secretary_units(user)
        if units is not None:
            query = query.where(ReceptionSession.unit_id.in_(units))
    return list(db.session.scalars(query))


def next_hosted_session(user, now: datetime) -> ReceptionSession | None:
    """The next session (not over, not cancelled) ``user`` hosts."""
    return db.session.scalars(
        select(ReceptionSession)
        .where(_hosted_by(user), ReceptionSession.ends_at > now,
               ReceptionSession.status != SessionStatus.CANCELLED)
        .order_by(ReceptionSession.starts_at, ReceptionSession.id).limit(1)).first()


def session_queue(reception: ReceptionSession) -> list[Booking]:
    """Accepted bookings of one session in the order they will be seen."""
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id, Booking.status.in_(QUEUED))
        .order_by(Booking.slot_start, Booking.id)))


def overdue_tasks(user, today: date) -> list[Task]:
    """Open tasks of the secretary's units' cases past their due date."""
    query = (select(Task).join(Booking, Task.booking_id == Booking.id)
             .join(ReceptionSession, Booking.session_id == ReceptionSession.id)
             .where(Task.status.in_(OPEN_TASK_STATUSES), Task.due_date < today)
             .order_by(Task.due_date, Task.id))
    units = _secretary_units(user)
    if units is not None:
        query = query.where(ReceptionSession.unit_id.in_(units))
    return list(db.session.scalars(query))


def build_desk(user, today: date, now: datetime) -> dict:
    """The lists of the desk for ``user``: the secretary's four (with the written refusal
    notices due), the chairman's two."""
    data: dict = {"today": today, "secretary": user.has_role(*DESK_ROLES),
                  "host": user.has_role(*HOST_ROLES)}
    if data["secretary"]:
        data["sessions"] = todays_sessions(user, today, as_host=False)
        data["triage"] = queries.triage_bookings(scoped_unit_ids(user, *SECRETARY_ROLES), now)
        data["overdue"] = overdue_tasks(user, today)
        data["notices"] = refusal_notices.notices_due(scoped_unit_ids(user, *SECRETARY_ROLES),
                                                      today)
    if data["host"]:
        data["hosted"] = todays_sessions(user, today, as_host=True)
        data["next"] = next_hosted_session(user, now)
        data["queue"] = session_queue(data["next"]) if data["next"] else []
    return data


def days_late(task: Task, today: date) -> int:
    return (today - task.due_date).days


