"""Read-only lookups for the administrators' pages: searches, counts, lists."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from sessions.errors import CoreError
from sessions.identity import normalize_phone

from ..auth.models import STAFF_ROLES, RoleAssignment, User
from ..extensions import db
from ..notify.models import Notification, OutboxState
from ..timeutil import utcnow
from ..units.models import Agency, Unit

PER_PAGE = 50
OUTBOX_STATUSES = tuple(OutboxState)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_units(text: str = "", level: str = "", page: int = 1, per_page: int = PER_PAGE):
    """Units whose code or name contains ``text``, of ``level`` if given, by code."""
    query = select(Unit).order_by(Unit.code)
    if text:
        query = query.where(or_(Unit.code.ilike(_like(text), escape="\\"),
                                Unit.name.ilike(_like(text), escape="\\")))
    if level:
        query = query.where(Unit.level == level)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def search_people(text: str = "", role: str = "", status: str = "", page: int = 1,
                  per_page: int = PER_PAGE):
    """People by name, e-mail or phone (any accepted form), role and account status."""
    query = select(User).order_by(User.full_name, User.id)
    if text:
        clauses = [User.full_name.ilike(_like(text), escape="\\"),
                   User.email.ilike(_like(text.lower()), escape="\\")]
        try:
            clauses.append(User.phone == normalize_phone(text))
        except CoreError:
            pass
        query = query.where(or_(*clauses))
    if role:
        query = query.where(User.id.in_(select(RoleAssignment.user_id)
                                        .where(RoleAssignment.role == role)))
    if status in ("active", "inactive"):
        query = query.where(User.is_active_account.is_(status == "active"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def dashboard_counts() -> dict:
    """Figures for the dashboard."""
    def count(query) -> int:
        return db.session.scalar(query) or 0

    levels = dict(db.session.execute(select(Unit.level, func.count(Unit.id))
                                     .group_by(Unit.level)).all())
    staff = select(func.count(func.distinct(RoleAssignment.user_id))).where(
        RoleAssignment.role.in_(STAFF_ROLES))
    return {
        "units": levels,
        "people": count(select(func.count(User.id))),
        "staff": count(staff),
        "admins": count(select(func.count(RoleAssignment.id)).where(
            RoleAssignment.role == "admin")),
        "inactive": count(select(func.count(User.id)).where(
            User.is_active_account.is_(False))),
        "locked": count(select(func.count(User.id)).where(User.locked_until > utcnow())),
        "agencies": count(select(func.count(Agency.id))),
        "outbox_pending": count(select(func.count(Notification.id)).where(
            *_outbox_clauses(OutboxState.PENDING))),
        "outbox_failed": count(select(func.count(Notification.id)).where(
            *_outbox_clauses(OutboxState.FAILED))),
    }


def role_holders(unit: Unit, *roles: str) -> list[RoleAssignment]:
    """Role assignments of exactly ``unit`` for ``roles``, by person's name."""
    query = (select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
             .where(RoleAssignment.unit_id == unit.id, RoleAssignment.role.in_(roles))
             .order_by(RoleAssignment.role, User.full_name, User.id))
    return list(db.session.scalars(query))


def officers_of(agency: Agency) -> list[RoleAssignment]:
    query = (select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
             .where(RoleAssignment.role == "officer", RoleAssignment.agency_id == agency.id)
             .order_by(User.full_name, User.id))
    return list(db.session.scalars(query))


def all_hosts() -> list[RoleAssignment]:
    """Every host assignment (for choosing whom a deputy stands in for)."""
    query = (select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
             .where(RoleAssignment.role == "host").order_by(User.full_name, User.id))
    return list(db.session.scalars(query))


def agencies_of_unit(unit: Unit) -> list[Agency]:
    """All agencies of ``unit``, active or not, by code."""
    return list(db.session.scalars(select(Agency).where(Agency.unit_id == unit.id)
                                   .order_by(Agency.code)))


def _outbox_clauses(status: str) -> list:
    if status == OutboxState.SENT:
        return [Notification.sent_at.is_not(None)]
    if status == OutboxState.FAILED:
        return [Notification.failed_at.is_not(None)]
    if status == OutboxState.PENDING:
        return [Notification.sent_at.is_(None), Notification.failed_at.is_(None)]
    return []


def outbox_page(status: str = "", channel: str = "", page: int = 1, per_page: int = PER_PAGE):
    """Notifications, newest first, filtered by status and channel."""
    query = select(Notification).where(*_outbox_clauses(status))
    if channel:
        query = query.where(Notification.channel == channel)
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
