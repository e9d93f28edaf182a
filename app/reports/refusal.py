"""Form 01/TCD: the written notice refusing to receive a citizen (Thông báo về việc từ
chối tiếp công dân), due within 3 working days for the grounds that require it
(Law on Citizen Reception Art 9.3, Decree 154/2026 Art 4.1.h and 4.3).

The first issue is stored on the booking (``refusal_notice_issued_at``) and every
issue is audited (``export``, ``document="refusal_notice"``).
"""

from __future__ import annotations

from sqlalchemy import update

from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..bookings.access import DENOUNCER_WORDS
from ..bookings.models import Booking, BookingStatus
from ..documents import docs
from ..documents.issuer import issuer_of
from ..extensions import db
from ..rulebook import services as rulebook
from ..timeutil import local_today, to_local, utcnow


def ground_source(code: str) -> str:
    """Where ground ``code`` is written, as the rulebook says."""
    found = rulebook.ground(code) if code else None
    return found.source if found else ""


def needs_notice(booking: Booking) -> bool:
    """Whether ``booking`` is refused on a ground that requires form 01/TCD."""
    return (booking.status == BookingStatus.REFUSED and bool(booking.decision_ground)
            and rulebook.needs_written_notice(booking.decision_ground))


def refusal_notice_data(booking: Booking) -> dict:
    reception = booking.reception
    issuer = issuer_of(reception)
    citizen = booking.citizen
    came = to_local(booking.created_at).date()
    code = booking.decision_ground
    chairman = reception.host.full_name if reception.host else ""
    # An export prints a denouncer as the words and nothing derived from them (CONTRACT
    # §8); the secretary addresses the envelope from the case page.
    secret = booking.is_denunciation
    return {
        "issuer": issuer, "number": "Số:       /TB-UBND", "day": local_today(),
        "citizen_name": DENOUNCER_WORDS if secret else citizen.full_name,
        "citizen_address": "" if secret else (citizen.address or ""), "masked": secret,
        "came": (f"Ngày {came:%d/%m/%Y}, qua Cổng tiếp công dân trực tuyến (mã vụ việc "
                 f"{booking.tracking_code})"),
        "matter": booking.summary.strip(),
        "ground_text": rulebook.ground_text(code).rstrip("."), "ground_source": ground_source(code),
        "recipients": ["- Như trên;", "- Ban Tiếp công dân;", "- Lưu: VT, hồ sơ."],
        "signer": {"authority": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "name": chairman,
                   "sign_note": True},
    }


def export_refusal_notice(booking: Booking, *, actor) -> bytes:
    """Form 01/TCD for ``booking`` as DOCX; 409 ``invalid_state`` unless it is refused on a
    ground that requires it. Records the first issue and audits every one."""
    if not needs_notice(booking):
        raise CoreError("invalid_state", N_(
            "Vụ việc không bị từ chối tiếp theo căn cứ phải thông báo bằng văn bản."))
    content = docs.refusal_notice_docx(refusal_notice_data(booking))
    first = db.session.execute(
        update(Booking).where(Booking.id == booking.id,
                              Booking.refusal_notice_issued_at.is_(None))
        .values(refusal_notice_issued_at=utcnow())).rowcount == 1
    if first:
        db.session.refresh(booking)
    record_event("export", actor=actor, target=f"booking:{booking.id}",
                 document="refusal_notice", ground=booking.decision_ground, first=first)
    db.session.flush()
    return content


def refusal_notice_filename(booking: Booking) -> str:
    return f"thong-bao-tu-choi-tiep-{booking.tracking_code}.docx"
