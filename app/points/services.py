"""Reception points: the unit's central and satellite points, and who operates them.

Which points a session offers (the session's unit and the units below it), which
sessions a point serves (its unit and the units above it), the administrators' changes
(audited) and the operator role of a point. Services flush; the door commits.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..auth.models import RoleAssignment, User
from ..extensions import db
from ..units.models import Unit
from .models import PointKind, ReceptionPoint

OPERATOR = "operator"
#: Sessions of these modes may be joined from a point (in person, people come to the office).
POINT_MODES = ("online", "hybrid")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,19}")
HOME = "home"


def point_by_code(code: str) -> ReceptionPoint | None:
    if not isinstance(code, str) or not _CODE.fullmatch(code.strip().upper()):
        return None
    return db.session.scalar(select(ReceptionPoint)
                             .where(ReceptionPoint.code == code.strip().upper()))


def points_of(unit: Unit, *, active_only: bool = True) -> list[ReceptionPoint]:
    """The points of exactly ``unit``: central first, then by name."""
    query = select(ReceptionPoint).where(ReceptionPoint.unit_id == unit.id)
    if active_only:
        query = query.where(ReceptionPoint.is_active.is_(True))
    rows = db.session.scalars(query).all()
    return sorted(rows, key=lambda p: (p.kind != PointKind.CENTRAL, p.name))


def serves(point: ReceptionPoint, reception) -> bool:
    """Whether citizens of ``reception`` may join from ``point``: an active point of the
    session's unit or of a unit below it, for an online or hybrid session."""
    return (point.is_active and reception.mode in POINT_MODES
            and reception.unit_id in point.unit.ancestor_ids())


def points_for_session(reception) -> list[ReceptionPoint]:
    """The points a citizen of ``reception`` may choose: the session unit's own first, then
    those of the units below it by unit name (so a commune session lists its commune's)."""
    if reception.mode not in POINT_MODES:
        return []
    rows = db.session.scalars(select(ReceptionPoint)
                              .where(ReceptionPoint.is_active.is_(True))).all()
    found = [p for p in rows if serves(p, reception)]
    return sorted(found, key=lambda p: (p.unit_id != reception.unit_id,
                                        p.kind != PointKind.CENTRAL, p.unit.name, p.name))


def resolve_join_from(value: object, reception) -> ReceptionPoint | None:
    """The point a booking joins from (None: from home), or 422 on ``join_from``."""
    if value is None or value == HOME:
        return None
    point = point_by_code(value) if isinstance(value, str) else None
    if point is None or not serves(point, reception):
        raise CoreError("invalid_join_from", N_(
            "Nơi tham gia phải là \"home\" (tại nhà) hoặc mã một điểm cầu của đơn vị tổ chức "
            "buổi tiếp hoặc đơn vị cấp dưới, với buổi tiếp trực tuyến."), field="join_from")
    return point


# --- operators ---------------------------------------------------------------------------

def operator_points(user) -> list[ReceptionPoint]:
    """The active points ``user`` operates (by their operator roles); an administrator,
    who passes every role check, works every point."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    query = select(ReceptionPoint).where(ReceptionPoint.is_active.is_(True))
    if not user.has_role("admin"):
        seen = {r.point_id for r in user.roles if r.role == OPERATOR and r.point_id}
        if not seen:
            return []
        query = query.where(ReceptionPoint.id.in_(seen))
    return list(db.session.scalars(query.order_by(ReceptionPoint.name)))


def operates(user, point: ReceptionPoint) -> bool:
    return any(p.id == point.id for p in operator_points(user))


def operators_of(point: ReceptionPoint) -> list[RoleAssignment]:
    return list(db.session.scalars(select(RoleAssignment).where(
        RoleAssignment.role == OPERATOR, RoleAssignment.point_id == point.id)
        .order_by(RoleAssignment.id)))


def grant_operator(point: ReceptionPoint, user: User, *, actor) -> RoleAssignment:
    """Make ``user`` an operator of ``point`` (role ``operator`` at the point's unit)."""
    if any(r.role == OPERATOR and r.point_id == point.id for r in user.roles):
        raise CoreError("role_exists", N_("Người này đã là cán bộ của điểm cầu này."), "person")
    role = RoleAssignment(role=OPERATOR, unit_id=point.unit_id, point_id=point.id)
    user.roles.append(role)
    db.session.flush()
    record_event("grant_role", actor=actor, target=f"user:{user.id}", role=OPERATOR,
                 unit=point.unit.code, point=point.code)
    return role


# --- the administrators' changes ---------------------------------------------------------

def create_point(unit: Unit, data: dict, *, actor) -> ReceptionPoint:
    """Add a point to ``unit``; its code is unique, and a unit has one central point."""
    point = ReceptionPoint(unit_id=unit.id, **_values(unit, data, None))
    point.unit = unit
    db.session.add(point)
    db.session.flush()
    record_event("create_point", actor=actor, target=f"point:{point.id}", unit=unit.code,
                 code=point.code)
    return point


def update_point(point: ReceptionPoint, data: dict, *, actor) -> ReceptionPoint:
    """Change a point's code, name, address, kind and active flag."""
    values = _values(point.unit, data, point)
    changes = {k: [getattr(point, k), v] for k, v in values.items() if getattr(point, k) != v}
    for key, value in values.items():
        setattr(point, key, value)
    db.session.flush()
    record_event("update_point", actor=actor, target=f"point:{point.id}", changes=changes)
    return point


def _clean(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _values(unit: Unit, data: dict, current: ReceptionPoint | None) -> dict:
    code = _clean(data.get("code")).upper()
    if not _CODE.fullmatch(code) or code == HOME.upper():
        raise CoreError("invalid_point_code", N_("Mã điểm cầu gồm 1–20 chữ cái không dấu, "
                                                 "chữ số hoặc dấu gạch."), "code")
    clash = db.session.scalar(select(ReceptionPoint.id).where(ReceptionPoint.code == code))
    if clash and (current is None or clash != current.id):
        raise CoreError("point_code_taken", N_("Mã điểm cầu {value} đã được dùng."), "code",
                        value=code)
    name, address = _clean(data.get("name")), _clean(data.get("address"))
    if not 1 <= len(name) <= 200:
        raise CoreError("invalid_name", N_("Vui lòng nhập tên điểm cầu (tối đa 200 ký tự)."),
                        "name")
    if len(address) > 300:
        raise CoreError("invalid_address", N_("Địa chỉ tối đa 300 ký tự."), "address")
    kind = data.get("kind")
    if kind not in tuple(PointKind):
        raise CoreError("invalid_kind", N_("Vui lòng chọn loại điểm cầu."), "kind")
    active = bool(data.get("is_active", True))
    if kind == PointKind.CENTRAL and active:
        other = db.session.scalar(select(ReceptionPoint.id).where(
            ReceptionPoint.unit_id == unit.id, ReceptionPoint.kind == PointKind.CENTRAL,
            ReceptionPoint.is_active.is_(True)))
        if other and (current is None or other != current.id):
            raise CoreError("central_exists", N_("Đơn vị này đã có điểm cầu trung tâm."),
                            "kind")
    return {"code": code, "name": name, "address": address, "kind": str(kind),
            "is_active": active}
