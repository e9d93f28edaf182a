""""Your turn is near": one message per booking to a citizen away from the waiting room.

Whenever a queue advances (a call, a no-show, a finished turn; and every minute from
the ``turn_near`` job, which also sees citizens who left or whose booking was
cancelled), each citizen with at most ``NEAR_AHEAD`` people ahead who has no socket in
the waiting room (app/live/presence.py) is told once, keyed ``turn_near:<booking id>``:
by Web Push to the browsers they allowed, else by SMS (or Zalo) and e-mail through the
outbox. Citizens not yet in the waiting room count with the place they would take if
they came in now (:func:`sessions.queue.ahead_on_arrival`).

The message carries the tracking code, date, time, unit, the waiting room's link and
the place; never the matter (CONTRACT §6: nothing of a denunciation in SMS or Zalo).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from sessions import queue

from ..bookings.messages import external_url
from ..bookings.models import Booking
from ..extensions import db
from ..notify.models import Notification
from ..notify.services import push_subscriptions, queue_notification, queue_push
from ..schedules.models import OPEN_SESSION_STATUSES, ReceptionSession, SessionMode
from ..timeutil import to_local
from . import presence
from .services import Snapshot, aware, settled_snapshot
from .window import is_room_open

KIND = "turn_near"
#: A citizen is told when at most this many people are ahead of them.
NEAR_AHEAD = 2


def dedupe_key(booking_id: int) -> str:
    return f"{KIND}:{booking_id}"


def notify_turn_near(reception: ReceptionSession, now: datetime,
                     snap: Snapshot | None = None) -> list[int]:
    """Queue the message for every citizen of the session whose turn is near and who
    is not in the waiting room; the booking ids told now. Runs under the session's
    lock, in the caller's unit of work; ``snap``: the queue the caller read under that
    lock after its change (:func:`app.live.services.settled_snapshot`), else read here."""
    if reception.status not in OPEN_SESSION_STATUSES \
            or reception.mode == SessionMode.IN_PERSON \
            or not is_room_open(reception, now):
        return []
    if snap is None:
        snap = settled_snapshot(reception, now)
    near = {booking_id: place.ahead for booking_id, place in snap.positions.items()
            if place.state == queue.QueueState.WAITING and place.ahead <= NEAR_AHEAD}
    near.update((booking_id, ahead) for booking_id, ahead in
                queue.ahead_on_arrival(snap.entries, snap.rule, aware(now)).items()
                if ahead <= NEAR_AHEAD)
    if not near:
        return []
    here = presence.present(reception.id, {snap.citizen_of[b] for b in near}, now)
    told = []
    for booking_id, ahead in sorted(near.items(), key=lambda item: item[1]):
        if snap.citizen_of[booking_id] in here or _already_told(booking_id):
            continue
        _tell(db.session.get(Booking, booking_id), reception, ahead)
        told.append(booking_id)
    return told


def _already_told(booking_id: int) -> bool:
    prefix = dedupe_key(booking_id) + ":"
    return db.session.scalar(select(Notification.id)
                             .where(Notification.dedupe_key.startswith(prefix))
                             .limit(1)) is not None


def facts(booking: Booking, reception: ReceptionSession, ahead: int) -> dict:
    """What an SMS or Zalo template renders: no matter text, no other person."""
    when = to_local(booking.slot_start or reception.starts_at)
    return {"tracking_code": booking.tracking_code, "date": when.strftime("%d/%m/%Y"),
            "time": when.strftime("%H:%M"), "unit": reception.unit.name,
            "link": external_url("live.room", session_id=reception.id),
            "position": ahead + 1}


def compose(booking: Booking, reception: ReceptionSession, ahead: int,
            known: dict) -> tuple[str, str, str]:
    """(subject, short text, full text) in the citizen's language."""
    locale = booking.citizen.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    when = f"{known['date']} {known['time']}"
    with force_locale(locale):
        subject = _("Sắp đến lượt tiếp của ông/bà – %(code)s", code=booking.tracking_code)
        if ahead == 0:
            short = _("Ông/bà là người tiếp theo. Xin vào phòng chờ ngay: %(link)s",
                      link=known["link"])
        else:
            short = _("Còn %(ahead)s người trước ông/bà. Xin vào phòng chờ: %(link)s",
                      ahead=ahead, link=known["link"])
        lines = [short, "", _("Xin chào ông/bà %(name)s,", name=booking.citizen.full_name),
                 _("Sắp đến lượt tiếp công dân của ông/bà; nếu ông/bà không có mặt trong "
                   "phòng chờ khi được gọi, lượt của ông/bà có thể bị bỏ qua."), "",
                 _("Mã tra cứu: %(code)s", code=known["tracking_code"]),
                 _("Thời gian: %(when)s", when=when),
                 _("Đơn vị: Ủy ban nhân dân %(unit)s", unit=known["unit"]), "",
                 _("Xin trân trọng cảm ơn."), _("Ban tiếp công dân")]
        return subject, short, "\n".join(lines)


def _tell(booking: Booking, reception: ReceptionSession, ahead: int) -> None:
    citizen, known = booking.citizen, facts(booking, reception, ahead)
    subject, short, body = compose(booking, reception, ahead, known)
    if current_app.config.get("VAPID_PRIVATE_KEY") and push_subscriptions(citizen):
        queue_push(citizen, KIND, subject, short, url=known["link"],
                   dedupe_key=dedupe_key(booking.id), facts=known)
    else:
        queue_notification(citizen, KIND, subject, body, dedupe_key=dedupe_key(booking.id),
                           facts=known)
