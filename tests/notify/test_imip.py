"""Booking e-mails through a real SMTP server, with their invitations (iMIP, RFC 6047).

An aiosmtpd server on 127.0.0.1 receives what the outbox dispatch sends; each message
is parsed with ``email`` and ``icalendar`` and its calendar part compared with
``GET /bookings/<id>/invite.ics`` and the citizen's feed at that moment (CONTRACT §6).
"""

from __future__ import annotations

import email
import re
import threading
from datetime import timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from app.auth.services import new_calendar_token
from app.bookings.jobs import send_reminders
from app.bookings.models import Booking
from app.extensions import db
from app.notify.jobs import dispatch_outbox
from app.schedules.generation import move_session
from app.schedules.services import cancel_session
from app.timeutil import to_local
from tests.factories import booking_body, sign_in

SENDER = "tiepcongdan@tuyenquang.gov.vn"


class _Sink:
    """Keeps every message the server accepts."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "data": envelope.content})
        return "250 OK"


class _LocalController(Controller):
    """aiosmtpd's threaded server on a port the OS chooses (port 0)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def mailbox(app):
    """A real SMTP server on 127.0.0.1; the app's SMTP_URL points at it."""
    sink = _Sink()
    controller = _LocalController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{controller.port}", MAIL_SENDER=SENDER,
                      SITE_URL="https://tiepcongdan.tuyenquang.gov.vn")
    try:
        yield sink
    finally:
        controller.stop()


class Mail:
    """What a test reads of one received e-mail."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self.message = email.message_from_bytes(raw, policy=policy.default)
        self.text = self.message.get_body(("plain",)).get_content()
        parts = [p for p in self.message.walk() if p.get_content_type() == "text/calendar"]
        self.calendar_part = parts[0] if parts else None
        self.calendar = Calendar.from_ical(parts[0].get_content()) if parts else None

    @property
    def method(self) -> str:
        return str(self.calendar["METHOD"])

    @property
    def event(self):
        return self.calendar.walk("VEVENT")[0]


def deliver(mailbox, to: str) -> list[Mail]:
    """Run the outbox dispatch; the e-mails it delivered to ``to``."""
    before = len(mailbox.messages)
    dispatch_outbox()
    return [Mail(m["data"]) for m in mailbox.messages[before:] if m["to"] == [to]]


def invite_event(client, booking) -> tuple[str, object]:
    """(METHOD, VEVENT) of ``GET /bookings/<id>/invite.ics`` as the citizen."""
    sign_in(client, booking.citizen)
    response = client.get(f"/bookings/{booking.id}/invite.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def feed_event(client, booking):
    """The booking's VEVENT in the citizen's personal feed."""
    token = new_calendar_token(booking.citizen)
    db.session.commit()
    events = Calendar.from_ical(client.get(f"/calendar/me.ics?token={token}").data)
    [event] = [e for e in events.walk("VEVENT")
               if str(e["UID"]).startswith(f"booking-{booking.id}@")]
    return event


def agrees_with_calendars(client, mail: Mail, booking) -> int:
    """The e-mail's UID, SEQUENCE and METHOD are those of the invite and the feed now;
    returns the SEQUENCE."""
    method, invited = invite_event(client, booking)
    listed = feed_event(client, booking)
    uid = f"booking-{booking.id}@tiepcongdan.tuyenquang.gov.vn"
    assert str(mail.event["UID"]) == str(invited["UID"]) == str(listed["UID"]) == uid
    assert int(mail.event["SEQUENCE"]) == int(invited["SEQUENCE"]) == int(listed["SEQUENCE"])
    assert mail.method == method
    assert str(mail.event["STATUS"]) == str(listed["STATUS"])
    return int(mail.event["SEQUENCE"])


def says_when_and_where(mail: Mail, booking) -> None:
    """The body's facts: date dd/mm/yyyy, time HH:MM, unit, host and tracking code."""
    local = to_local(booking.slot_start)
    assert local.strftime("%d/%m/%Y") in mail.text and local.strftime("%H:%M") in mail.text
    assert booking.reception.unit.name in mail.text
    assert booking.reception.host.full_name in mail.text
    assert booking.tracking_code in mail.text and booking.tracking_code in mail.message["Subject"]


def one_mail(mailbox, booking) -> Mail:
    [mail] = deliver(mailbox, booking.citizen.email)
    return mail


def reload(booking) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def test_a_booking_life_in_calendar_invitations(app, api, client, mailbox, scene):
    response = api.post("/bookings", user=scene.citizen, json=booking_body(scene.reception))
    assert response.status_code == 201, response.get_json()
    booking = reload(db.session.get(Booking, response.get_json()["id"]))

    received = one_mail(mailbox, booking)
    assert received.calendar is None  # pending: nothing in a calendar yet
    says_when_and_where(received, booking)
    room = f"https://tiepcongdan.tuyenquang.gov.vn/live/{scene.reception.id}/room"
    assert room in received.text and f"/live/{scene.reception.id}/test" in received.text
    assert received.message["List-Unsubscribe"] is None

    assert api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                    json={"decision": "accept"}).status_code == 200
    accepted = one_mail(mailbox, reload(booking))
    assert accepted.method == "REQUEST" and str(accepted.event["STATUS"]) == "CONFIRMED"
    accepted_sequence = agrees_with_calendars(client, accepted, reload(booking))
    assert accepted_sequence == 1  # accepting is a change the calendar must show
    says_when_and_where(accepted, reload(booking))
    assert str(accepted.event["ORGANIZER"]) == f"mailto:{SENDER}"
    assert scene.unit.name in accepted.event["ORGANIZER"].params["CN"]
    attendee = accepted.event["ATTENDEE"]
    assert str(attendee) == f"mailto:{scene.citizen.email}"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["PARTSTAT"] in ("NEEDS-ACTION", "ACCEPTED")
    cancel_link = re.search(r"https://\S+/bookings/link/cancel/\S+", accepted.text).group(0)
    assert client.get(urlsplit(cancel_link).path).status_code == 200  # signed after the raise

    later = scene.reception.starts_at + timedelta(minutes=3 * scene.reception.slot_minutes)
    assert api.post(f"/bookings/{booking.id}/reschedule", user=scene.citizen, json={
        "session_id": scene.reception.id,
        "slot_start": booking_body(scene.reception, 3)["slot_start"]}).status_code == 200
    moved = one_mail(mailbox, reload(booking))
    assert moved.method == "REQUEST"
    assert agrees_with_calendars(client, moved, reload(booking)) == accepted_sequence + 1
    assert moved.event.decoded("DTSTART") == to_local(later)
    says_when_and_where(moved, reload(booking))

    assert send_reminders(later - timedelta(hours=20)) == 1
    db.session.commit()
    reminded = one_mail(mailbox, reload(booking))
    assert reminded.method == "REQUEST"
    assert agrees_with_calendars(client, reminded, reload(booking)) == accepted_sequence + 1
    assert reminded.message["List-Unsubscribe"] == f"<mailto:{SENDER}?subject=unsubscribe>"
    says_when_and_where(reminded, reload(booking))

    assert api.post(f"/bookings/{booking.id}/cancel", user=scene.citizen).status_code == 200
    cancelled = one_mail(mailbox, reload(booking))
    assert cancelled.method == "CANCEL" and str(cancelled.event["STATUS"]) == "CANCELLED"
    assert agrees_with_calendars(client, cancelled, reload(booking)) == accepted_sequence + 2
    says_when_and_where(cancelled, reload(booking))

    assert deliver(mailbox, booking.citizen.email) == []  # each message exactly once
    ids = [Mail(m["data"]).message["Message-ID"] for m in mailbox.messages]
    assert len(ids) == len(set(ids))


def test_staff_changes_reach_the_calendar(app, api, client, make, mailbox, scene):
    """Promoted from the waiting list, moved by staff, the session moved, then cancelled."""
    scene.unit.auto_accept = True
    reception = make.make_reception(scene.unit, scene.host, duration_minutes=40)
    first = make.make_booking(reception, make.make_user(), slot_index=0)
    make.make_booking(reception, make.make_user(), slot_index=1)
    waiting = make.make_booking(reception, scene.citizen, slot_index=None, status="waitlisted")
    db.session.commit()

    assert api.post(f"/bookings/{first.id}/cancel", user=first.citizen).status_code == 200
    promoted = one_mail(mailbox, reload(waiting))
    assert promoted.method == "REQUEST"
    assert agrees_with_calendars(client, promoted, reload(waiting)) == 1

    target = make.make_reception(scene.unit, scene.host, starts_in_minutes=60 * 24 * 12)
    assert api.post(f"/bookings/{waiting.id}/reschedule", user=scene.secretary,
                    json={"session_id": target.id}).status_code == 200
    moved = one_mail(mailbox, reload(waiting))
    assert moved.method == "REQUEST"
    assert agrees_with_calendars(client, moved, reload(waiting)) == 2

    target = db.session.get(type(target), target.id)
    move_session(target, target.starts_at + timedelta(hours=2),
                 target.ends_at + timedelta(hours=2), target.slot_minutes, scene.secretary)
    db.session.commit()
    session_moved = one_mail(mailbox, reload(waiting))
    assert session_moved.method == "REQUEST"
    assert agrees_with_calendars(client, session_moved, reload(waiting)) == 3
    assert session_moved.event.decoded("DTSTART") == to_local(reload(waiting).slot_start)
    assert f"/live/{target.id}/room" in session_moved.text

    cancel_session(db.session.get(type(target), target.id), "Chủ tịch đi công tác đột xuất",
                   scene.secretary)
    db.session.commit()
    session_cancelled = one_mail(mailbox, reload(waiting))
    assert session_cancelled.method == "CANCEL"
    assert agrees_with_calendars(client, session_cancelled, reload(waiting)) == 4


def test_the_mime_structure(app, api, mailbox, scene):
    response = api.post("/bookings", user=scene.citizen, json=booking_body(scene.reception))
    booking_id = response.get_json()["id"]
    deliver(mailbox, scene.citizen.email)
    api.post(f"/bookings/{booking_id}/decision", user=scene.secretary,
             json={"decision": "accept"})
    [mail] = deliver(mailbox, scene.citizen.email)
    assert mail.raw.isascii()  # no 8-bit byte: no server needs 8BITMIME
    assert b"=?utf-8?" in mail.raw.split(b"\r\n\r\n", 1)[0].lower()  # RFC 2047 subject
    message = mail.message
    assert message["Subject"].startswith("Lịch tiếp công dân đã được xác nhận")
    assert message["Message-ID"].startswith("<tcd-outbox-")
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.iter_parts()
    assert [p.get_content_type() for p in (plain, html, calendar)] == [
        "text/plain", "text/html", "text/calendar"]
    for part in (plain, html, calendar):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert calendar.get_param("method") == "REQUEST"
    assert "Xin chào ông/bà Nguyễn Văn An," in plain.get_content()
    assert "<a href=" in html.get_content() and "Nguyễn Văn An" in html.get_content()
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    attached = Calendar.from_ical(attachment.get_content())
    assert str(attached["METHOD"]) == "REQUEST"
    assert attached.walk("VEVENT")[0]["UID"] == mail.event["UID"]
    assert attached.walk("VEVENT")[0]["SEQUENCE"] == mail.event["SEQUENCE"]
