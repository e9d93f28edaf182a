"""Who may see or change a booking, and what of the citizen each viewer sees.

A denouncer's identity (``to_cao``) is secret (DOMAIN.md): only the citizen, the
host, the unit's secretaries and inspectors see it (not an administrator by virtue
of being one), and each time it is shown to staff a ``reveal`` is audited.
"""

from __future__ import annotations

import json

from sessions.identity import mask_cccd, mask_name, mask_phone

from ..audit.services import record_event
from ..auth.access import has_unit_role
from ..timeutil import iso_local
from .models import Booking
from .services import waitlist_position

VIEW_ROLES = ("secretary", "host", "deputy", "inspector")
DENOUNCER_ROLES = ("secretary", "host", "inspector")


def is_owner(user, booking: Booking) -> bool:
    return user is not None and getattr(user, "id", None) == booking.citizen_id


def can_view(user, booking: Booking) -> bool:
    """The citizen, and secretaries, hosts, deputies and inspectors of the unit."""
    return is_owner(user, booking) or has_unit_role(user, booking.reception.unit, *VIEW_ROLES)


def can_manage(user, booking: Booking) -> bool:
    """Secretaries of the unit (and administrators) triage, cancel and reschedule."""
    return has_unit_role(user, booking.reception.unit, "secretary")


def _holds_role(user, unit, roles: tuple[str, ...]) -> bool:
    """Like has_unit_role, but without the administrator's pass."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    chain = set(unit.ancestor_ids())
    return any(r.role in roles and r.unit_id in chain for r in user.roles)


def can_see_identity(user, booking: Booking) -> bool:
    """Whether ``user`` may see who the citizen is."""
    if is_owner(user, booking):
        return True
    unit = booking.reception.unit
    if not booking.is_denunciation:
        return has_unit_role(user, unit, *VIEW_ROLES)
    acting = booking.reception.acting_host_id
    return _holds_role(user, unit, DENOUNCER_ROLES) or (
        acting is not None and acting == getattr(user, "id", None))


def citizen_dict(booking: Booking, visible: bool) -> dict:
    person = booking.citizen
    if visible:
        return {"id": person.id, "full_name": person.full_name, "phone": person.phone,
                "email": person.email, "cccd": person.cccd, "address": person.address}
    return {"full_name": mask_name(person.full_name), "phone": mask_phone(person.phone or ""),
            "cccd": mask_cccd(person.cccd) if person.cccd else None, "masked": True}


def representatives(booking: Booking, visible: bool) -> list[dict]:
    people = json.loads(booking.representatives or "[]")
    if visible:
        return people
    return [{"full_name": mask_name(p.get("full_name", "")),
             "phone": mask_phone(p.get("phone", ""))} for p in people]


def reveal(user, booking: Booking, where: str) -> bool:
    """Whether ``user`` sees the identity; audits the reveal of a denouncer to staff."""
    visible = can_see_identity(user, booking)
    if visible and booking.is_denunciation and not is_owner(user, booking):
        record_event("reveal", actor=user, target=f"booking:{booking.id}",
                     field="citizen", where=where)
    return visible


def history(booking: Booking) -> list[dict]:
    return [{"status": e.status, "at": iso_local(e.at)} for e in booking.history]


def summary_dict(booking: Booking) -> dict:
    """The answer to POST /bookings: id, tracking code, slot and status."""
    return {"id": booking.id, "tracking_code": booking.tracking_code,
            "session_id": booking.session_id, "slot_start": iso_local(booking.slot_start),
            "status": booking.status}


def booking_dict(booking: Booking, viewer) -> dict:
    """GET /bookings/<id>: the citizen is shown, masked, as ``viewer`` may see it."""
    visible = reveal(viewer, booking, "api")
    data = summary_dict(booking)
    data.update({
        "matter": {"type": booking.matter_type, "field": booking.matter_field,
                   "summary": booking.summary, "earlier_case_ref": booking.earlier_case_ref},
        "group_size": booking.group_size,
        "representatives": representatives(booking, visible),
        "citizen": citizen_dict(booking, visible),
        "consents": {"recording_at": iso_local(booking.consent_recording_at),
                     "online_denunciation_risk_at":
                         iso_local(booking.consent_denunciation_risk_at)},
        "history": history(booking),
        "ics_sequence": booking.ics_sequence,
    })
    if booking.status == "waitlisted":
        data["waitlist_position"] = waitlist_position(booking)
    if booking.decided_at is not None:
        data["decision"] = {"ground": booking.decision_ground or None,
                            "agency": booking.redirect_agency.code
                            if booking.redirect_agency else None,
                            "note": booking.decision_note, "at": iso_local(booking.decided_at)}
    data["attachments"] = [{"id": a.id, "filename": a.filename if visible else None,
                            "content_type": a.content_type, "size": a.size}
                           for a in booking.attachments]
    return data
