"""Who may see or change a booking, and what of the citizen each viewer sees.

A denouncer's identity (``to_cao``) is secret (CONTRACT §8): :func:`may_see_identity`
is the one rule, and everyone else gets :func:`denouncer_words` and nothing derived
from the identity. Each time it is shown to staff a ``reveal`` is audited.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import select

from sessions.errors import N_
from sessions.identity import mask_cccd, mask_name, mask_phone

from ..audit.services import record_event
from ..auth.access import has_unit_role
from ..extensions import db
from ..timeutil import iso_local
from .models import Booking, BookingStatus, MatterType
from .services import waitlist_position

VIEW_ROLES = ("secretary", "host", "deputy", "inspector")
#: Besides the acting host, who sees a denouncer: explicit roles at the unit or above.
DENOUNCER_ROLES = ("secretary", "inspector")
#: A deputy acts only where they hold one of these at exactly the session's unit.
ACTING_ROLES = ("deputy", "host")


def is_owner(user, booking: Booking) -> bool:
    return user is not None and getattr(user, "id", None) == booking.citizen_id


def can_view(user, booking: Booking) -> bool:
    """The citizen, and secretaries, hosts, deputies and inspectors of the unit."""
    return is_owner(user, booking) or has_unit_role(user, booking.reception.unit, *VIEW_ROLES)


def can_manage(user, booking: Booking) -> bool:
    """Secretaries of the unit (and administrators) triage, cancel and reschedule."""
    return has_unit_role(user, booking.reception.unit, "secretary")


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _holds_role(user, unit, roles: tuple[str, ...]) -> bool:
    """Like has_unit_role, but without the administrator's pass."""
    if not _signed_in(user):
        return False
    chain = set(unit.ancestor_ids())
    return any(r.role in roles and r.unit_id in chain for r in user.roles)


def operates_point_of(user, booking: Booking) -> bool:
    """Whether ``user`` is an operator of the reception point ``booking`` joins from."""
    return (_signed_in(user) and booking.point_id is not None
            and any(r.role == "operator" and r.point_id == booking.point_id
                    for r in user.roles))


def desk_name(booking: Booking, viewer) -> str:
    """The name a point's desk shows: the name its operator typed for a booking made on
    the citizen's behalf (never the stored name of an account it matched), the
    account's name otherwise, and for a denouncer :func:`denouncer_words`."""
    visible = may_see_identity(viewer, booking)
    if visible and booking.assisted_name:
        return booking.assisted_name
    return citizen_name(booking, visible)


def is_acting_host(user, reception) -> bool:
    """Whether ``user`` is the one host acting in ``reception``: its authorised deputy
    when one is set, else its host. A deputy acts only while they still hold the role
    at exactly the session's unit (a province deputy never hosts a commune)."""
    if not _signed_in(user):
        return False
    if reception.acting_host_id is None:
        return user.id == reception.host_id
    return user.id == reception.acting_host_id and any(
        r.role in ACTING_ROLES and r.unit_id == reception.unit_id for r in user.roles)


def may_see_identity(viewer, booking: Booking) -> bool:
    """The one rule for who sees who the citizen is (CONTRACT §8).

    A denouncer (``to_cao``) is seen only by themself, the host acting in the session,
    and secretaries and inspectors of the unit or a unit above it; never by an
    administrator as such, nor a deputy or chairman who is not the acting host, nor the
    operator of the reception point they come to. Other cases: the citizen, the staff
    who view the case, and the operator of the point the citizen joins from (who
    receives them there).
    """
    if is_owner(viewer, booking):
        return True
    if not booking.is_denunciation:
        return (has_unit_role(viewer, booking.reception.unit, *VIEW_ROLES)
                or operates_point_of(viewer, booking))
    return (is_acting_host(viewer, booking.reception)
            or _holds_role(viewer, booking.reception.unit, DENOUNCER_ROLES))


#: What official documents (register, conclusion notice, letters) print in place of a
#: denouncer: they are always in Vietnamese.
DENOUNCER_WORDS = N_("Người tố cáo (được giữ bí mật)")


def denouncer_words() -> str:
    """What everyone else sees in place of a denouncer, in the reader's language."""
    return _(DENOUNCER_WORDS)


def citizen_name(booking: Booking, visible: bool) -> str:
    """The citizen's name, or what stands in its place for a viewer who may not see it."""
    name = booking.citizen.full_name if booking.citizen else ""
    if visible:
        return name
    return denouncer_words() if booking.is_denunciation else mask_name(name)


def citizen_dict(booking: Booking, visible: bool) -> dict:
    person = booking.citizen
    if visible:
        return {"id": person.id, "full_name": person.full_name, "phone": person.phone,
                "email": person.email, "cccd": person.cccd, "address": person.address,
                "identity_verified_via": person.identity_verified_via}
    if booking.is_denunciation:  # nothing derived from the identity
        return {"full_name": denouncer_words(), "phone": None, "cccd": None, "masked": True}
    return {"full_name": mask_name(person.full_name), "phone": mask_phone(person.phone or ""),
            "cccd": mask_cccd(person.cccd) if person.cccd else None, "masked": True}


def representatives(booking: Booking, visible: bool) -> list[dict]:
    people = json.loads(booking.representatives or "[]")
    if visible:
        return people
    if booking.is_denunciation:
        return [{"full_name": denouncer_words(), "phone": None} for _p in people]
    return [{"full_name": mask_name(p.get("full_name", "")),
             "phone": mask_phone(p.get("phone", ""))} for p in people]


def attachment_name(attachment, visible: bool) -> str | None:
    """A file's original name only to those who see the identity (it may name them)."""
    return attachment.filename if visible else None


def reveal(user, booking: Booking, where: str) -> bool:
    """Whether ``user`` sees the identity; audits the reveal of a denouncer to staff."""
    visible = may_see_identity(user, booking)
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
        "join_from": booking.join_from_code,
        "representatives": representatives(booking, visible),
        "citizen": citizen_dict(booking, visible),
        "consents": {"recording_at": iso_local(booking.consent_recording_at),
                     "online_denunciation_risk_at":
                         iso_local(booking.consent_denunciation_risk_at)},
        "history": history(booking),
        "ics_sequence": booking.ics_sequence,
    })
    if booking.status == BookingStatus.WAITLISTED:
        data["waitlist_position"] = waitlist_position(booking)
    if booking.decided_at is not None:
        data["decision"] = {"ground": booking.decision_ground or None,
                            "agency": booking.redirect_agency.code
                            if booking.redirect_agency else None,
                            "note": booking.decision_note, "at": iso_local(booking.decided_at)}
    data["attachments"] = [{"id": a.id, "filename": attachment_name(a, visible),
                            "content_type": a.content_type, "size": a.size}
                           for a in booking.attachments]
    return data


# --- free places: the audit log and the outbox -------------------------------------------

def _chunks(ids, size: int = 500):
    ids = sorted({i for i in ids if i})
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def denouncer_ids(user_ids) -> set[int]:
    """Which of ``user_ids`` have denounced (hold a ``to_cao`` booking): their name,
    contacts and messages are kept from those who read the audit log and the outbox."""
    found: set[int] = set()
    for chunk in _chunks(user_ids):
        found.update(db.session.scalars(select(Booking.citizen_id).distinct().where(
            Booking.citizen_id.in_(chunk), Booking.matter_type == MatterType.TO_CAO)))
    return found


def all_denouncers():
    """A subquery of every denouncer's user id (to leave them out of a search by name)."""
    return select(Booking.citizen_id).where(Booking.matter_type == MatterType.TO_CAO)


def denounced_booking_ids(booking_ids) -> set[int]:
    """Which of ``booking_ids`` are denunciations."""
    found: set[int] = set()
    for chunk in _chunks(booking_ids):
        found.update(db.session.scalars(select(Booking.id).where(
            Booking.id.in_(chunk), Booking.matter_type == MatterType.TO_CAO)))
    return found
