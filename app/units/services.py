"""Units, hosts and agencies: lookups and the import from vietnam-provinces."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from ..auth.models import RoleAssignment, User
from ..extensions import db
from .models import Agency, Unit

PROVINCE_TYPES = {"tỉnh", "thành phố trung ương"}


def unit_by_code(code: str) -> Unit | None:
    if not code or len(code) > 10:
        return None
    return db.session.scalar(select(Unit).where(Unit.code == code))


def list_units(level: str | None = None, parent_code: str | None = None) -> list[Unit]:
    query = select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.code)
    if level:
        query = query.where(Unit.level == level)
    if parent_code:
        parent = unit_by_code(parent_code)
        if parent is None:
            return []
        query = query.where(Unit.parent_id == parent.id)
    return list(db.session.scalars(query))


def fold(text: str) -> str:
    """Lower case without accents (đ as d), spaces collapsed: "Phường Minh Xuân" and
    "phuong  minh xuan" fold to the same text."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def bare_name(unit: Unit) -> str:
    """The unit's name without its division word: "Minh Xuân" for "Phường Minh Xuân"."""
    kind = unit.division_type or ""
    if kind and unit.name[:len(kind)].lower() == kind.lower():
        return unit.name[len(kind):].strip() or unit.name
    return unit.name


def unit_sort_key(unit: Unit) -> tuple[str, str]:
    """Vietnamese order: by the place name with its accents folded, then with them."""
    return fold(bare_name(unit)), bare_name(unit)


def search_units(parent: Unit, query: str = "") -> list[Unit]:
    """The active units under ``parent`` in Vietnamese order; with ``query``, those whose
    name contains it, accents and case ignored ("minh xuan" finds Phường Minh Xuân)."""
    wanted = fold(query)
    units = [u for u in list_units(parent_code=parent.code)
             if not wanted or wanted in fold(u.name)]
    return sorted(units, key=unit_sort_key)


def province_level_name(province: Unit) -> str:
    """ "UBND tỉnh Tuyên Quang": the people's committee of a province, by its division."""
    kind = (province.division_type or "tỉnh").lower()
    kind = "thành phố" if kind.startswith("thành phố") else kind
    return f"UBND {kind} {province.name}"


def hosts_of(unit: Unit) -> list[User]:
    """The hosts (chairmen) of exactly this unit."""
    query = (select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(RoleAssignment.role == "host", RoleAssignment.unit_id == unit.id,
                    User.is_active_account.is_(True))
             .order_by(User.id).distinct())
    return list(db.session.scalars(query))


def deputies_of(unit: Unit) -> list[User]:
    query = (select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(RoleAssignment.role == "deputy", RoleAssignment.unit_id == unit.id)
             .order_by(User.id).distinct())
    return list(db.session.scalars(query))


def host_unit(user: User) -> Unit | None:
    """The unit where ``user`` is host (chairman), if any."""
    for role in user.roles:
        if role.role == "host" and role.unit is not None:
            return role.unit
    return None


def host_dict(user: User, unit: Unit) -> dict:
    return {"id": user.id, "full_name": user.full_name, "title": user.title,
            "unit_code": unit.code}


def agencies_of(unit: Unit) -> list[Agency]:
    query = select(Agency).where(Agency.unit_id == unit.id, Agency.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Agency.code)))


def import_units(province_codes: list[str] | None = None, with_wards: bool = True) -> int:
    """Create or update provinces (all 34) and, for the given codes, their communes.

    Returns the number of units created. Existing units keep their settings.
    """
    from vietnam_provinces import Province

    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    created = 0
    for province in Province.iter_all():
        code = f"{int(province.code):02d}"
        unit = existing.get(code)
        if unit is None:
            unit = Unit(code=code, level="province")
            db.session.add(unit)
            existing[code] = unit
            created += 1
        unit.name, unit.division_type = province.name, province.division_type.value
        if with_wards and province_codes is not None and code in province_codes:
            db.session.flush()
            created += _import_wards(province, unit, existing)
    db.session.flush()
    return created


def _import_wards(province, unit: Unit, existing: dict) -> int:
    from vietnam_provinces import Ward

    created = 0
    for ward in Ward.iter_by_province(province.code):
        code = f"{int(ward.code):05d}"
        child = existing.get(code)
        if child is None:
            child = Unit(code=code, level="commune", parent_id=unit.id)
            db.session.add(child)
            existing[code] = child
            created += 1
        child.name, child.division_type = ward.name, ward.division_type.value
    return created
