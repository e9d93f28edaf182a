"""A citizen's personal data: export, deletion on request, and anonymisation after retention.

Decree 13/2023/NĐ-CP and the Personal Data Protection Law 91/2025/QH15 give the data
subject the right to obtain their data and to have it deleted, except where another law
requires it to be kept. Case records of a citizen reception (bookings, their history,
attached files, recordings, minutes) are archival records: they are kept for
RECORD_RETENTION_YEARS after their last change and anonymised by the retention job when
that period ends. Everything else is erased when the deletion is requested.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..auth.models import ApiToken, RecoveryCode, User
from ..auth.services import check_password
from ..bookings.models import OPEN_STATUSES, Attachment, Booking, IdempotencyKey, Rating
from ..extensions import db
from ..live.models import Recording, RecordingStatus
from ..minutes.models import Minutes, MinutesVersion
from ..notify.models import Notification
from ..timeutil import utcnow

ANONYMOUS_NAME = "(đã ẩn danh)"
REDACTED = "[đã ẩn danh]"
EXPORT_FORMAT = 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- export -----------------------------------------------------------------------------

def _booking_dict(booking: Booking, rating: Rating | None, recordings: list) -> dict:
    reception = booking.reception
    return {
        "tracking_code": booking.tracking_code,
        "status": booking.status,
        "matter_type": booking.matter_type,
        "matter_field": booking.matter_field,
        "summary": booking.summary,
        "group_size": booking.group_size,
        "representatives": json.loads(booking.representatives or "[]"),
        "earlier_case_ref": booking.earlier_case_ref,
        "join_from": booking.join_from_code,
        "point": ({"code": booking.point.code, "name": booking.point.name,
                   "address": booking.point.address} if booking.point is not None else None),
        "satellite_point": booking.satellite_point,
        "priority_flags": [f for f in booking.priority_flags.split(",") if f],
        "reception": {"unit": reception.unit.name if reception and reception.unit else None,
                      "starts_at": _iso(reception.starts_at) if reception else None},
        "slot_start": _iso(booking.slot_start),
        "consents": {"recording_at": _iso(booking.consent_recording_at),
                     "denunciation_risk_at": _iso(booking.consent_denunciation_risk_at)},
        "decision": {"ground": booking.decision_ground, "note": booking.decision_note,
                     "redirect_to": booking.redirect_to, "at": _iso(booking.decided_at)},
        "history": [{"status": e.status, "at": _iso(e.at), "note": e.note}
                    for e in booking.history],
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type,
                         "size": a.size, "sha256": a.sha256, "uploaded_at": _iso(a.created_at),
                         "uploaded_by_me": a.uploaded_by_id == booking.citizen_id}
                        for a in booking.attachments],
        "rating": ({"score": rating.score, "comment": rating.comment,
                    "at": _iso(rating.created_at)} if rating else None),
        "recordings": [{"id": r.id, "size": r.size, "sha256": r.sha256,
                        "created_at": _iso(r.created_at)} for r in recordings],
        "created_at": _iso(booking.created_at),
        "updated_at": _iso(booking.updated_at),
    }


def _bookings(user: User) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).where(Booking.citizen_id == user.id).order_by(Booking.id)))


def export_data(user: User) -> dict:
    """Everything the system holds about ``user`` as a citizen, as plain JSON data."""
    bookings = _bookings(user)
    ids = [b.id for b in bookings]
    ratings = {r.booking_id: r for r in db.session.scalars(
        select(Rating).where(Rating.booking_id.in_(ids)))} if ids else {}
    recordings: dict[int, list] = {}
    if ids:
        for row in db.session.scalars(select(Recording).where(
                Recording.booking_id.in_(ids), Recording.status == RecordingStatus.STORED)):
            recordings.setdefault(row.booking_id, []).append(row)
    notifications = db.session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id))
    return {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(utcnow()),
        "profile": {
            "id": user.id, "full_name": user.full_name, "email": user.email,
            "phone": user.phone, "cccd": user.cccd, "address": user.address,
            "birth_date": _iso(user.birth_date),
            "priority_flags": sorted(user.flags), "locale": user.locale,
            "roles": user.role_names, "created_at": _iso(user.created_at),
        },
        "consents": {"data_processing_at": _iso(user.consent_data_at),
                     "recording_at": _iso(user.consent_recording_at)},
        "bookings": [_booking_dict(b, ratings.get(b.id), recordings.get(b.id, []))
                     for b in bookings],
        "tracking_codes": [b.tracking_code for b in bookings],
        "notifications": [{"channel": n.channel, "recipient": n.recipient,
                           "subject": n.subject, "body": n.body, "kind": n.kind,
                           "created_at": _iso(n.created_at), "sent_at": _iso(n.sent_at)}
                          for n in notifications],
    }


def _own_attachments(user: User) -> list[Attachment]:
    return list(db.session.scalars(
        select(Attachment).join(Booking, Booking.id == Attachment.booking_id)
        .where(Booking.citizen_id == user.id, Attachment.uploaded_by_id == user.id)
        .order_by(Attachment.id)))


def export_zip(user: User) -> bytes:
    """A ZIP with data.json and the files the citizen uploaded (attachments/…)."""
    from ..bookings.uploads import attachment_path

    data = export_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for attachment in _own_attachments(user):
            path = attachment_path(attachment)
            if path.is_file():
                archive.write(path, f"attachments/{attachment.booking.tracking_code}/"
                                    f"{attachment.id}-{attachment.filename}")
    return buffer.getvalue()


def record_export(user: User, fmt: str) -> None:
    record_event("personal_data_export", actor=user, target=f"user:{user.id}", format=fmt)


# --- deletion on request ------------------------------------------------------------------

def retention_years() -> int:
    return int(current_app.config["RECORD_RETENTION_YEARS"])


def retention_end(last_change: datetime) -> datetime:
    years = retention_years()
    try:
        return last_change.replace(year=last_change.year + years)
    except ValueError:  # 29 February
        return last_change.replace(year=last_change.year + years, day=28)


def _last_case_change(user_id: int) -> datetime | None:
    """The latest change of any of the citizen's case records (booking or minutes)."""
    booking = db.session.scalar(select(func.max(Booking.updated_at))
                                .where(Booking.citizen_id == user_id))
    minutes = db.session.scalar(select(func.max(Minutes.updated_at))
                                .join(Booking, Booking.id == Minutes.booking_id)
                                .where(Booking.citizen_id == user_id))
    moments = [m for m in (booking, minutes) if m is not None]
    return max(moments) if moments else None


def deletion_blocker(user: User) -> CoreError | None:
    """Why this account cannot ask for deletion now, or None."""
    if user.is_staff:
        return CoreError("staff_account", N_(
            "Tài khoản cán bộ do quản trị hệ thống quản lý; vui lòng liên hệ quản trị để "
            "đóng tài khoản."))
    open_count = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.citizen_id == user.id, Booking.status.in_(OPEN_STATUSES)))
    if open_count:
        return CoreError("open_bookings", N_(
            "Bạn còn {n} lịch tiếp đang chờ hoặc đã được nhận. Vui lòng hủy các lịch này "
            "trước khi yêu cầu xóa dữ liệu."), n=open_count)
    return None


def request_deletion(user: User, password: str) -> None:
    """Close the account and erase what is not under retention (a refusal is a CoreError)."""
    if not check_password(user, password):
        raise CoreError("wrong_password", N_("Mật khẩu không đúng."), "password")
    blocker = deletion_blocker(user)
    if blocker is not None:
        raise blocker
    now = utcnow()
    retained = _last_case_change(user.id) is not None
    _erase_account(user)
    user.deletion_requested_at = now
    record_event("personal_data_deletion_request", actor=user, target=f"user:{user.id}",
                 case_records_retained=retained)
    if not retained:
        _anonymise_identity(user, now)


def _erase_account(user: User) -> None:
    """What no law asks us to keep: contact details, secrets, tokens, preferences."""
    user.is_active_account = False
    user.email = None
    user.phone = None
    user.password_hash = None
    user.calendar_token_hash = None
    user.birth_date = None
    user.priority_flags = ""
    user.locale = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.failed_logins, user.locked_until = 0, None
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user.id))
    # Notices not yet sent are dropped; sent ones lose their address, text, facts and
    # the provider's answer (which may repeat the address).
    db.session.execute(delete(Notification).where(Notification.user_id == user.id,
                                                  Notification.sent_at.is_(None)))
    db.session.execute(update(Notification).where(Notification.user_id == user.id)
                       .values(recipient="", subject="", body="", facts=None, calendar="",
                               provider_answer=""))
    booking_ids = select(Booking.id).where(Booking.citizen_id == user.id)
    db.session.execute(update(Rating).where(Rating.booking_id.in_(booking_ids))
                       .values(comment=""))


def _anonymise_identity(user: User, now: datetime) -> None:
    user.full_name = ANONYMOUS_NAME
    user.cccd = None
    user.address = ""
    user.anonymised_at = now


def _anonymise_cases(user: User) -> None:
    """At the end of retention: the case records lose whatever identifies the citizen."""
    from ..bookings.uploads import attachment_path
    from ..live.recording import file_path

    bookings = _bookings(user)
    ids = [b.id for b in bookings]
    for booking in bookings:
        booking.summary = REDACTED
        booking.representatives = "[]"
        booking.satellite_point = ""
        booking.earlier_case_ref = ""
        booking.decision_note = ""
        booking.redirect_to = ""
        for event in booking.history:
            event.note = ""
        for attachment in list(booking.attachments):
            attachment_path(attachment).unlink(missing_ok=True)
            db.session.delete(attachment)
    if ids:
        for recording in db.session.scalars(select(Recording)
                                            .where(Recording.booking_id.in_(ids))):
            file_path(recording).unlink(missing_ok=True)
            db.session.delete(recording)
        minutes_ids = select(Minutes.id).where(Minutes.booking_id.in_(ids))
        db.session.execute(update(MinutesVersion).where(MinutesVersion.minutes_id.in_(minutes_ids))
                           .values(content=REDACTED, conclusion=""))
        db.session.execute(update(Minutes).where(Minutes.booking_id.in_(ids))
                           .values(content=REDACTED, conclusion=""))


# --- the retention job --------------------------------------------------------------------

def anonymise_due(now: datetime | None = None) -> int:
    """Anonymise citizens who asked for deletion and whose case records passed retention."""
    now = now or utcnow()
    count = 0
    for user in db.session.scalars(select(User).where(
            User.deletion_requested_at.is_not(None), User.anonymised_at.is_(None))
            .order_by(User.id)):
        last = _last_case_change(user.id)
        if last is not None and retention_end(last) > now:
            continue
        _anonymise_cases(user)
        _anonymise_identity(user, now)
        record_event("personal_data_anonymised", target=f"user:{user.id}")
        count += 1
    return count


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Drop data kept only for a while: spent API tokens, stale lockouts, old idempotency keys."""
    now = now or utcnow()
    tokens = db.session.execute(delete(ApiToken).where(
        or_(ApiToken.expires_at <= now, ApiToken.revoked_at.is_not(None)))).rowcount
    locks = db.session.execute(update(User).where(User.locked_until <= now)
                               .values(locked_until=None, failed_logins=0)).rowcount
    keep_days = int(current_app.config["IDEMPOTENCY_KEY_DAYS"])
    keys = db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - timedelta(days=keep_days))).rowcount
    return {"api_tokens": tokens, "lockouts": locks, "idempotency_keys": keys}
