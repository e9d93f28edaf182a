"""Who may do what: role x unit scope (the unit and the units below it)."""

from __future__ import annotations

from .models import User


def is_admin(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.has_role("admin"))


def has_unit_role(user, unit, *roles: str) -> bool:
    """True when ``user`` holds one of ``roles`` at ``unit`` or at a unit above it.

    An administrator holds every role everywhere.
    """
    if user is None or not getattr(user, "is_authenticated", False) or unit is None:
        return False
    if is_admin(user):
        return True
    chain = set(unit.ancestor_ids())
    return any(r.role in roles and r.unit_id in chain for r in user.roles)


def scoped_unit_ids(user: User, *roles: str) -> set[int] | None:
    """Ids of units where ``user`` holds one of ``roles`` (not expanded); None = all."""
    if is_admin(user):
        return None
    return {r.unit_id for r in user.roles if r.role in roles and r.unit_id is not None}


def agency_ids(user: User) -> set[int]:
    """Agencies whose officer ``user`` is."""
    return {r.agency_id for r in user.roles if r.role == "officer" and r.agency_id}
