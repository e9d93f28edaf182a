"""The people in one case's call: the host, the citizen or their reception point, and up
to two guests invited by a one-time link (CONTRACT §10).

A call is the case called or in the call in a session (``QueueEntry`` called/in_call).
Its parties are named by a *party id*: ``host``; ``citizen`` (the citizen joining from
home) or ``point`` (the reception point the citizen joins from); ``guest:<invite id>``
for each guest who entered the call. ``signal`` is relayed among these only
(app/live/events.py); each party's sockets are in one room of the session:

| party | room |
|---|---|
| ``host`` | ``session:S:host`` |
| ``citizen`` | ``user:U:session:S`` |
| ``point`` | ``session:S:point:P`` (the point's operators) |
| ``guest:N`` | ``session:S:guest:N`` (the browser that opened invite N) |

Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from sessions import queue
from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..auth.access import has_unit_role
from ..auth.models import RoleAssignment
from ..bookings.access import denouncer_words, is_acting_host
from ..bookings.models import Booking, BookingStatus, MatterType
from ..extensions import db
from ..points.models import ReceptionPoint
from ..schedules.models import OPEN_SESSION_STATUSES, ReceptionSession
from .models import CallInvite, QueueEntry
from .services import aware, ensure_entries, lock_reception, save_transition, to_entry
from .window import queue_rule

GUEST_ROLES = ("agency", "interpreter", "lawyer", "representative")
#: Whom a denouncer may bring into the call: their own side, never an agency (CONTRACT §8).
DENOUNCER_SIDE = ("interpreter", "lawyer", "representative")
ROLE_LABELS = {"agency": N_("Đại diện cơ quan"), "interpreter": N_("Phiên dịch viên"),
               "lawyer": N_("Luật sư"), "representative": N_("Người đại diện")}
MAX_GUESTS = 2
INVITE_HOURS = 4
NAME_MAX = 100
#: Bookings whose citizen a point follows: accepted, or served (their turn is over).
POINT_STATUSES = (BookingStatus.ACCEPTED, BookingStatus.SERVED)


def point_room(session_id: int, point_id: int) -> str:
    return f"session:{session_id}:point:{point_id}"


def guest_room(session_id: int, invite_id: int) -> str:
    return f"session:{session_id}:guest:{invite_id}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- reception points -----------------------------------------------------------------

def operator_point(user) -> ReceptionPoint | None:
    """The point an operator works (an operator works one point)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalars(
        select(ReceptionPoint).join(RoleAssignment, RoleAssignment.point_id == ReceptionPoint.id)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.role == "operator")
        .order_by(RoleAssignment.id).limit(1)).first()


def point_bookings(reception: ReceptionSession, point_id: int) -> list[Booking]:
    """The bookings of the session whose citizen joins from that point, by slot."""
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id, Booking.point_id == point_id,
                              Booking.status.in_(POINT_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)))


def require_point(user, reception: ReceptionSession) -> ReceptionPoint:
    """The operator's point, if it has citizens in this session (else a refusal)."""
    point = operator_point(user)
    if point is None:
        raise CoreError("forbidden", N_("Chỉ cán bộ vận hành của một điểm cầu mới vào được "
                                        "với vai trò điểm cầu."))
    if not point_bookings(reception, point.id):
        raise CoreError("not_accepted", N_("Điểm cầu của bạn không có công dân nào tham gia "
                                           "buổi tiếp này."))
    return point


def point_state_payloads(snap, point_ids: set[int]) -> dict[int, dict]:
    """The ``point_state`` payload of each point in ``point_ids``, from a queue snapshot:
    the citizens who join from that point, ``expected`` before their check-in."""
    if not point_ids:
        return {}
    rows = db.session.execute(
        select(Booking.id, Booking.point_id, ReceptionPoint.code)
        .join(ReceptionPoint, ReceptionPoint.id == Booking.point_id)
        .where(Booking.session_id == snap.reception_id, Booking.point_id.in_(point_ids),
               Booking.status.in_(POINT_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)).all()
    entries = {e.booking_id: e for e in snap.entries}
    payloads: dict[int, dict] = {}
    codes = dict(db.session.execute(select(ReceptionPoint.id, ReceptionPoint.code)
                                    .where(ReceptionPoint.id.in_(point_ids))).all())
    for point_id in point_ids:
        payloads[point_id] = {"session_id": snap.reception_id, "point_code": codes.get(point_id),
                              "citizens": []}
    for booking_id, point_id, _code in rows:
        entry = entries.get(booking_id)
        if entry is None:
            continue  # not (or no longer) in this session's queue
        state = "expected" if entry.state == queue.QueueState.BOOKED else str(entry.state)
        payloads[point_id]["citizens"].append(
            {"ticket": entry.ticket, "booking_id": booking_id, "state": state})
    return payloads


def guest_state_payloads(snap, invite_ids: set[int]) -> dict[int, dict]:
    """The ``guest_state`` payload of each invite: where its case stands in the queue."""
    if not invite_ids:
        return {}
    rows = db.session.execute(select(CallInvite.id, CallInvite.booking_id)
                              .where(CallInvite.id.in_(invite_ids))).all()
    entries = {e.booking_id: e for e in snap.entries}
    payloads = {}
    for invite_id, booking_id in rows:
        entry = entries.get(booking_id)
        state = "expected" if entry is None or entry.state == queue.QueueState.BOOKED \
            else str(entry.state)
        payloads[invite_id] = {"session_id": snap.reception_id, "booking_id": booking_id,
                               "state": state}
    return payloads


def _point_entry(reception: ReceptionSession, point_id: int, booking_id: int):
    row = db.session.execute(
        select(QueueEntry, Booking).join(Booking, Booking.id == QueueEntry.booking_id)
        .where(QueueEntry.session_id == reception.id, QueueEntry.booking_id == booking_id,
               Booking.point_id == point_id)).first()
    if row is None:
        raise CoreError("not_found", N_("Không tìm thấy công dân này trong danh sách của điểm "
                                        "cầu."), field="booking_id")
    return row


def point_check_in(reception: ReceptionSession, point_id: int, booking_id: int, *, actor,
                   now: datetime) -> bool:
    """The point's officer checks in a citizen present at the point (booked → waiting);
    False when they already are. The citizen does not need their own account online."""
    ensure_entries(reception)
    lock_reception(reception.id)
    entry_row, booking = _point_entry(reception, point_id, booking_id)
    if booking.status != BookingStatus.ACCEPTED:
        raise CoreError("not_accepted", N_("Lịch tiếp này chưa được tiếp nhận."))
    entry = to_entry(entry_row, booking.slot_start, reception)
    try:
        new = queue.check_in(entry, aware(now), queue_rule(reception),
                             aware(reception.starts_at), aware(reception.ends_at))
    except CoreError as exc:
        if exc.code in ("invalid_state", "already_requeued"):
            return False
        raise
    if new == entry:
        return False
    save_transition(entry_row, new, actor_id=actor.id, now=now)
    record_event("point_check_in", actor=actor, target=f"booking:{booking_id}",
                 session_id=reception.id, point_id=point_id)
    return True


def point_start_call(reception: ReceptionSession, point_id: int, booking_id: int, *, actor,
                     consent, now: datetime) -> bool:
    """The point takes the call of its called citizen (called → in_call), once the
    officer confirmed that the citizen was told of the recording and agreed."""
    if consent is not True:
        raise CoreError("consent_required", N_("Hãy xác nhận công dân đã được thông báo và "
                                               "đồng ý ghi âm, ghi hình trước khi nhận cuộc "
                                               "gọi."), field="consent")
    entry_row, booking = _point_entry(reception, point_id, booking_id)
    if entry_row.state not in queue.ACTIVE_STATES:
        raise CoreError("invalid_state", N_("Công dân này chưa được mời vào cuộc gọi."))
    record_event("recording_consent_at_point", actor=actor, target=f"booking:{booking_id}",
                 session_id=reception.id, point_id=point_id)
    if booking.consent_recording_at is None:
        booking.consent_recording_at = now
    if entry_row.state != queue.QueueState.CALLED:
        db.session.flush()
        return False
    lock_reception(reception.id)  # a queue write: in turn with the host's actions
    entry = to_entry(entry_row, booking.slot_start, reception)
    save_transition(entry_row, queue.start_call(entry, aware(now)), actor_id=actor.id, now=now)
    return True


# --- the current call and its parties -------------------------------------------------

@dataclass
class Call:
    """The case called or in the call in a session, and who may signal in it."""

    booking_id: int
    ticket: str
    citizen_id: int
    point_id: int | None
    is_denunciation: bool
    guests: dict[int, CallInvite]  # invite id -> invite, guests who entered the call

    @property
    def citizen_party(self) -> str:
        return "point" if self.point_id else "citizen"

    def parties(self) -> list[str]:
        return ["host", self.citizen_party, *(f"guest:{i}" for i in sorted(self.guests))]

    def room(self, session_id: int, party: str) -> str | None:
        from .rooms import room_name

        if party == "host":
            return room_name(session_id, "host")
        if party == "citizen" and self.point_id is None:
            return room_name(session_id, "citizen", self.citizen_id)
        if party == "point" and self.point_id is not None:
            return point_room(session_id, self.point_id)
        if party.startswith("guest:") and party[6:].isdigit() and int(party[6:]) in self.guests:
            return guest_room(session_id, int(party[6:]))
        return None


def current_call(reception: ReceptionSession, now: datetime) -> Call | None:
    """The session's current call, with the guests who entered it (links not expired)."""
    row = db.session.execute(
        select(QueueEntry.booking_id, QueueEntry.ticket, Booking.citizen_id, Booking.point_id,
               Booking.matter_type)
        .join(Booking, Booking.id == QueueEntry.booking_id)
        .where(QueueEntry.session_id == reception.id,
               QueueEntry.state.in_(queue.ACTIVE_STATES))
        .order_by(QueueEntry.called_at.desc()).limit(1)).first()
    if row is None:
        return None
    guests = {i.id: i for i in db.session.scalars(
        select(CallInvite).where(CallInvite.booking_id == row.booking_id,
                                 CallInvite.joined_at.is_not(None),
                                 CallInvite.expires_at > now))}
    return Call(row.booking_id, row.ticket, row.citizen_id, row.point_id,
                row.matter_type == MatterType.TO_CAO, guests)


def party_label(call: Call, party: str) -> str:
    """How a party is shown to the others (a denouncer's name never)."""
    if party == "host":
        return _("Người chủ trì tiếp công dân")
    if party == "point":
        point = db.session.get(ReceptionPoint, call.point_id)
        return _("Điểm cầu: %(name)s", name=point.name if point else "")
    if party == "citizen":
        return denouncer_words() if call.is_denunciation else _("Công dân")
    invite = call.guests.get(int(party[6:])) if party[6:].isdigit() else None
    return guest_label(invite) if invite else party


def guest_label(invite: CallInvite) -> str:
    return f"{_(ROLE_LABELS[invite.role])}: {invite.name}"


# --- invites --------------------------------------------------------------------------

def may_invite(user, booking: Booking) -> bool:
    """The host acting in the booking's session, or a secretary of its unit."""
    reception = booking.reception
    return is_acting_host(user, reception) or has_unit_role(user, reception.unit, "secretary")


def _call_open(booking: Booking, now: datetime) -> None:
    reception = booking.reception
    if booking.status != BookingStatus.ACCEPTED:
        raise CoreError("invalid_state", N_("Chỉ mời được vào cuộc gọi của lịch tiếp đã được "
                                            "tiếp nhận."))
    if reception.status not in OPEN_SESSION_STATUSES or now >= reception.ends_at:
        raise CoreError("invalid_state", N_("Buổi tiếp đã kết thúc hoặc đã bị hủy."))


def create_invite(booking: Booking, data, *, actor, now: datetime) -> tuple[CallInvite, str]:
    """A one-time link for one more person in the case's call: (invite, token)."""
    if not isinstance(data, dict):
        raise CoreError("bad_request", N_("Dữ liệu gửi lên phải là một đối tượng JSON."))
    role, name = data.get("role"), data.get("name")
    errors = {}
    if role not in GUEST_ROLES:
        errors["role"] = CoreError("validation_error", N_("Vai trò phải là agency, interpreter, "
                                                          "lawyer hoặc representative."),
                                   field="role")
    name = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= NAME_MAX:
        errors["name"] = CoreError("validation_error", N_("Họ tên người được mời phải có từ 1 "
                                                          "đến 100 ký tự."), field="name")
    if errors:
        raise CoreError("validation_error", N_("Dữ liệu lời mời không hợp lệ."), errors=errors)
    if booking.is_denunciation and role not in DENOUNCER_SIDE:
        secret = CoreError("validation_error", N_(
            "Vụ việc tố cáo: chỉ mời được phiên dịch viên, luật sư hoặc người đại diện của "
            "người tố cáo; không mời đại diện cơ quan để giữ bí mật danh tính người tố cáo."),
            field="role")
        raise CoreError("validation_error", secret.template, field="role",
                        errors={"role": secret})
    _call_open(booking, now)
    token = secrets.token_urlsafe(32)
    reception = booking.reception
    invite = CallInvite(booking_id=booking.id, session_id=reception.id, role=role, name=name,
                        token_hash=digest(token), created_by_id=actor.id, created_at=now,
                        expires_at=min(reception.ends_at, now + timedelta(hours=INVITE_HOURS)))
    db.session.add(invite)
    db.session.flush()
    record_event("call_invite_created", actor=actor, target=f"booking:{booking.id}",
                 invite_id=invite.id, role=role)
    return invite, token


def _usable(token, now: datetime) -> CallInvite:
    invite = db.session.scalars(select(CallInvite).where(
        CallInvite.token_hash == digest(token))).first() if isinstance(token, str) and \
        0 < len(token) <= 100 else None
    if invite is None:
        raise CoreError("not_found", N_("Đường dẫn mời không đúng hoặc không còn tồn tại."))
    if now >= invite.expires_at:
        raise CoreError("link_expired", N_("Đường dẫn mời đã hết hạn. Hãy đề nghị người chủ trì "
                                           "hoặc thư ký gửi đường dẫn mới."), status=410)
    return invite


def open_invite(token, browser_key, now: datetime) -> tuple[CallInvite, str]:
    """The guest's browser opens the link: the first one binds it and gets a key to keep
    (its cookie); the same browser comes back with that key; any other is refused."""
    invite = _usable(token, now)
    if invite.browser_hash is None:
        key = secrets.token_urlsafe(32)
        invite.browser_hash, invite.opened_at = digest(key), now
        db.session.flush()
        record_event("call_invite_opened", actor=None, target=f"booking:{invite.booking_id}",
                     invite_id=invite.id)
        return invite, key
    if not isinstance(browser_key, str) or digest(browser_key) != invite.browser_hash:
        raise CoreError("link_used", N_("Đường dẫn mời này đã được mở trên một trình duyệt "
                                        "khác; mỗi đường dẫn chỉ dùng được một lần."), status=410)
    return invite, browser_key


def guest_invite(token, browser_key, now: datetime) -> CallInvite:
    """The invite of a guest's socket: its link still valid and opened by this browser."""
    invite = _usable(token, now)
    if invite.browser_hash is None or not isinstance(browser_key, str) \
            or digest(browser_key) != invite.browser_hash:
        raise CoreError("link_used", N_("Đường dẫn mời này đã được mở trên một trình duyệt "
                                        "khác; mỗi đường dẫn chỉ dùng được một lần."), status=410)
    return invite


def enter_call(reception: ReceptionSession, invite: CallInvite, now: datetime) -> Call:
    """The guest enters the call of their case, once it is called or in the call."""
    if now >= invite.expires_at:
        raise CoreError("link_expired", N_("Đường dẫn mời đã hết hạn. Hãy đề nghị người chủ trì "
                                           "hoặc thư ký gửi đường dẫn mới."), status=410)
    call = current_call(reception, now)
    if call is None or call.booking_id != invite.booking_id:
        raise CoreError("invalid_state", N_("Vụ việc của bạn chưa ở trong cuộc gọi; xin chờ "
                                            "đến lượt."))
    if invite.id not in call.guests:
        if len(call.guests) >= MAX_GUESTS:
            raise CoreError("call_full", N_("Cuộc gọi đã đủ người (tối đa hai khách mời)."),
                            status=409)
        invite.joined_at = invite.joined_at or now
        db.session.flush()
        record_event("call_guest_joined", actor=None, target=f"booking:{invite.booking_id}",
                     invite_id=invite.id, role=invite.role)
        call.guests[invite.id] = invite
    return call
