"""Data for the schedules web pages: periods, unit choices, grouped sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import select

from sessions.paging import DayPage, page_of_days

from ..auth.models import RoleAssignment, User
from ..extensions import db
from ..timeutil import local_today, to_local, to_utc_naive, utcnow
from ..units.models import Unit
from ..units.services import list_units, unit_by_code
from .availability import free_counts
from .models import ReceptionSession, SessionStatus
from .receptions import list_sessions

VIEWS = ("week", "month")
PROVINCE_ONLY = "tinh"


@dataclass(frozen=True)
class Period:
    """The days a public page shows, and its neighbours for navigation."""

    view: str
    first: date
    last: date
    previous: date
    following: date

    def utc_range(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, datetime.min.time())
        return to_utc_naive(start), to_utc_naive(start + timedelta(days=(self.last - self.first)
                                                                   .days + 1))


def period(view: str, day: date) -> Period:
    """The week (Monday–Sunday) or calendar month containing ``day``."""
    if view == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(view, first, following - timedelta(days=1), previous, following)
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6), monday - timedelta(days=7),
                  monday + timedelta(days=7))


def parse_day(text: str | None) -> date:
    """The day asked for, or today when it is malformed or outside 2000–2099."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return local_today()
    return day if date(2000, 1, 8) <= day <= date(2099, 12, 24) else local_today()


def default_province() -> Unit | None:
    """The province of the next upcoming session, else the first province."""
    unit = db.session.scalar(
        select(Unit).join(ReceptionSession, ReceptionSession.unit_id == Unit.id)
        .where(ReceptionSession.starts_at > utcnow(),
               ReceptionSession.status != SessionStatus.CANCELLED)
        .order_by(ReceptionSession.starts_at).limit(1))
    while unit is not None and unit.parent is not None:
        unit = unit.parent
    return unit or next(iter(list_units("province")), None)


@dataclass
class PublicChoice:
    """What the public page shows: the province, its communes and the chosen filter."""

    provinces: list[Unit]
    province: Unit | None
    communes: list[Unit]
    commune: str
    unit_ids: list[int]
    feed_unit: Unit | None


def public_choice(province_code: str | None, commune: str | None) -> PublicChoice:
    """Units to show: a province with all its communes, the province alone, or one commune."""
    provinces = list_units("province")
    province = unit_by_code(province_code or "") or default_province()
    if province is not None and province.level != "province":
        commune, province = province.code, province.parent or province
    communes = list_units(parent_code=province.code) if province else []
    commune = commune or ""
    chosen = next((c for c in communes if c.code == commune), None)
    if chosen is not None:
        ids, feed = [chosen.id], chosen
    elif commune == PROVINCE_ONLY and province is not None:
        ids, feed = [province.id], province
    else:
        commune = ""
        ids = ([province.id] + [c.id for c in communes]) if province else []
        feed = province
    return PublicChoice(provinces, province, communes, commune, ids, feed)


#: Sessions a page of the public list shows at least (whole days: sessions/paging.py).
PUBLIC_PAGE_SESSIONS = 20


def sessions_by_day(unit_ids, span: Period, page: int = 1) -> tuple[DayPage, dict]:
    """Page ``page`` of ``[(local day, [sessions])]`` of the period, and the free-slot
    counts of its sessions."""
    receptions = list_sessions(unit_ids, *span.utc_range()) if unit_ids else []
    days = [(day, list(items)) for day, items in
            groupby(receptions, key=lambda r: to_local(r.starts_at).date())]
    shown = page_of_days(days, page, PUBLIC_PAGE_SESSIONS)
    return shown, free_counts([r for _day, items in shown.days for r in items])


def units_with_hosts(scope_ids) -> list[Unit]:
    """Units (within ``scope_ids``; None = all) that have at least one host."""
    query = (select(Unit).join(RoleAssignment, RoleAssignment.unit_id == Unit.id)
             .where(RoleAssignment.role == "host", Unit.is_active.is_(True))
             .distinct().order_by(Unit.code))
    if scope_ids is not None:
        query = query.where(Unit.id.in_(list(scope_ids)))
    return list(db.session.scalars(query))


def own_unit(user, units: list[Unit], *roles: str) -> Unit:
    """Of ``units`` (not empty), the one where ``user`` holds one of ``roles`` and that
    stands highest (a province before its communes); the first one otherwise."""
    held = {r.unit_id for r in user.roles if r.role in roles}
    mine = [u for u in units if u.id in held]
    return min(mine, key=_depth) if mine else units[0]


def _depth(unit: Unit) -> int:
    return len(unit.ancestor_ids())


def host_choices(units: list[Unit]) -> dict[str, str]:
    """``{id: "Name — unit"}`` of the hosts of ``units``."""
    if not units:
        return {}
    names = {u.id: u.name for u in units}
    rows = db.session.execute(
        select(User.id, User.full_name, RoleAssignment.unit_id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == "host", RoleAssignment.unit_id.in_(list(names)),
               User.is_active_account.is_(True)).order_by(RoleAssignment.unit_id, User.id))
    return {str(uid): f"{name} — {names[unit_id]}" for uid, name, unit_id in rows}


def deputy_choices(reception: ReceptionSession) -> dict[str, str]:
    """Deputies (and other hosts) of the session's unit, who may host in its place."""
    rows = db.session.execute(
        select(User.id, User.full_name, User.title)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role.in_(("deputy", "host")),
               RoleAssignment.unit_id == reception.unit_id, User.id != reception.host_id,
               User.is_active_account.is_(True)).distinct().order_by(User.id))
    return {str(uid): f"{name} ({title})" if title else name for uid, name, title in rows}
