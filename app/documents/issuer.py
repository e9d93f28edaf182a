"""Who issues a session's official documents: the People's Committee of its unit."""

from __future__ import annotations

from ..schedules.models import ReceptionSession
from ..units.models import Unit


def unit_phrase(unit: Unit) -> tuple[str, str]:
    """(``tỉnh Tuyên Quang`` / ``xã Thượng Lâm``, place name ``Tuyên Quang`` / ``Thượng Lâm``)."""
    name = unit.name.strip()
    kind = (unit.division_type or "").strip().lower().replace(" trung ương", "")
    if kind and name.lower().startswith(kind + " "):
        place = name[len(kind):].strip()
        return f"{kind} {place}", place
    if kind:
        return f"{kind} {name}", name
    return name, name


def issuer_of(reception: ReceptionSession) -> dict:
    """Who issues the session's documents: the People's Committee of its unit."""
    phrase, place = unit_phrase(reception.unit)
    return {"body": "ỦY BAN NHÂN DÂN", "unit_title": phrase.upper(), "unit_phrase": phrase,
            "place": place, "chairman": reception.host.full_name if reception.host else ""}
