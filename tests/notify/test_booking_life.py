"""One booking's whole life against real peers (CONTRACT §6): received → accepted →
moved → reminded → cancelled, each step's e-mails, SMS and Zalo messages exactly once.

Three peers run on 127.0.0.1: an aiosmtpd SMTP server, an HTTP SMS gateway and an HTTP
endpoint answering as Zalo ZNS. Two citizens live the same life side by side: An, whose
phone Zalo takes, books a denunciation (``to_cao``) through the API; Bình, whose phone
has no Zalo, books through the web wizard, and so gets every Zalo message as an SMS.
The secretary accepts at triage and moves both bookings on the web pages, the reminder
job runs as ``flask jobs run booking_reminders --today`` does, and both citizens cancel.
After every step the outbox dispatch runs, then runs again and sends nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.jobs import run_job
from app.notify.jobs import dispatch_outbox
from app.notify.models import Notification
from app.notify.senders import idempotency_key
from app.notify.sms import FORBIDDEN, GSM_LIMIT, fold, is_gsm
from app.timeutil import iso_local, local_today, to_local, today_in_vietnam
from tests.factories import booking_body, log_in, sign_in
from tests.notify.test_imip import Mail, _LocalController, _Sink

SITE = "https://tiepcongdan.tuyenquang.gov.vn"
SENDER = "tiepcongdan@tuyenquang.gov.vn"
# Some kinds have a Zalo template; booking_received has none and goes by SMS.
TEMPLATES = {"booking_accepted": "401002", "booking_moved": "401003",
             "booking_cancelled": "401004", "booking_reminder": "401005"}
# Our message kind of each step → its ZNS kind (None: no template, by SMS).
ZNS_KIND = {"booking_received": None, "booking_accepted": "booking_accepted",
            "booking_rescheduled": "booking_moved", "booking_reminder_24h": "booking_reminder",
            "booking_cancelled": "booking_cancelled"}
METHOD = {"booking_received": None, "booking_accepted": "REQUEST",
          "booking_rescheduled": "REQUEST", "booking_reminder_24h": "REQUEST",
          "booking_cancelled": "CANCEL"}
ZALO_PHONE, NO_ZALO_PHONE = "+84912345678", "+84987654321"
SECRET_MATTER = "Tố cáo Phó giám đốc Lê Văn Khuất nhận hối lộ khi cấp phép xây dựng"
SECRET_WORDS = ("Khuất", "Khuat", "hối lộ", "hoi lo", "cấp phép", "cap phep", "Lê Văn",
                "Le Van", "giám đốc", "giam doc")
# The session starts 9 days and 20 hours from now: moved 60 and 80 minutes later, both
# bookings fall within the day-before reminder when the clock is moved 9 days on.
STARTS_IN_MINUTES = 60 * 24 * 10 - 4 * 60


@dataclass
class Peers:
    """What the three servers received; ``mark()`` and ``since(mark)`` read one step."""

    mailbox: _Sink
    gateway: object
    zns: object
    seen: list = field(default_factory=list)

    def mark(self) -> tuple[int, int, int]:
        return len(self.mailbox.messages), len(self.gateway.requests), len(self.zns.requests)

    def since(self, mark) -> dict:
        mails, sms, zns = mark
        return {"mail": [(m["to"], Mail(m["data"])) for m in self.mailbox.messages[mails:]],
                "sms": [r["json"] for r in self.gateway.requests[sms:]],
                "zns": [r for r in self.zns.requests[zns:]]}


@pytest.fixture
def peers(app, zns, sms_gateway):
    """SMTP, SMS gateway and ZNS on 127.0.0.1 (port 0); ZNS refuses NO_ZALO_PHONE."""
    mailbox = _Sink()
    controller = _LocalController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    zns.refused_phones = {NO_ZALO_PHONE.lstrip("+")}
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{controller.port}", MAIL_SENDER=SENDER,
                      SITE_URL=SITE, SMS_GATEWAY_URL=sms_gateway.url,
                      ZALO_ZNS_URL=zns.url, ZALO_OA_ACCESS_TOKEN="oa-token",
                      ZALO_ZNS_TEMPLATES=dict(TEMPLATES), OUTBOX_DISPATCH_ON_COMMIT=False)
    try:
        yield Peers(mailbox, sms_gateway, zns)
    finally:
        controller.stop()


def post(client, url, data=None):
    db.session.commit()
    response = client.post(url, data=data or {})
    db.session.expire_all()
    return response


def reload(booking) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def job(app, name: str) -> None:
    """``flask jobs run NAME``: its own app context and unit of work (app/jobs.py). The
    test's session ends its transaction first (SQLite takes its write lock at BEGIN)."""
    db.session.commit()
    run_job(app, name)
    db.session.expire_all()


def deliver(app, peers) -> dict:
    """One dispatch run; then a second, as the scheduler's job, must send nothing."""
    mark = peers.mark()
    counts = dispatch_outbox()
    assert counts["failed"] == counts["skipped"] == 0, counts
    arrived = peers.since(mark)
    again = peers.mark()
    job(app, "dispatch_outbox")
    assert peers.mark() == again  # nothing goes twice
    return arrived


def facts_of(booking) -> dict:
    """What every phone message must say: code, dd/mm/yyyy, HH:MM, unit, link."""
    local = to_local(booking.slot_start)
    return {"tracking_code": booking.tracking_code, "date": local.strftime("%d/%m/%Y"),
            "time": local.strftime("%H:%M"), "unit": booking.reception.unit.name,
            "link": f"{SITE}/track"}


def invite(viewer, booking) -> tuple[str, object]:
    """(METHOD, VEVENT) of GET /bookings/<id>/invite.ics, as its citizen, now."""
    sign_in(viewer, booking.citizen)
    response = viewer.get(f"/bookings/{booking.id}/invite.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def phone_row(booking, kind: str) -> Notification:
    [row] = db.session.scalars(select(Notification).where(
        Notification.user_id == booking.citizen_id, Notification.kind == kind,
        Notification.channel != "email"))
    return row


def check_mail(arrived, viewer, booking, kind: str) -> int | None:
    """One e-mail of ``kind`` to the citizen, its invitation that of invite.ics now;
    returns its SEQUENCE (None without an invitation)."""
    [mail] = [m for to, m in arrived["mail"] if to == [booking.citizen.email]]
    facts = facts_of(booking)
    assert booking.tracking_code in mail.message["Subject"]
    for fact in ("tracking_code", "date", "time", "unit"):
        assert facts[fact] in mail.text, (fact, mail.text)
    if METHOD[kind] is None:
        assert mail.calendar is None
        return None
    method, event = invite(viewer, booking)
    assert mail.method == method == METHOD[kind]
    assert mail.calendar_part.get_param("method") == method
    assert str(mail.event["UID"]) == str(event["UID"]) == f"booking-{booking.id}@{SITE[8:]}"
    assert int(mail.event["SEQUENCE"]) == int(event["SEQUENCE"]) == booking.ics_sequence
    assert mail.event.decoded("DTSTART") == to_local(booking.slot_start)
    return int(mail.event["SEQUENCE"])


def check_sms(text: str, booking) -> None:
    facts = facts_of(booking)
    for fact in ("tracking_code", "date", "time", "link"):
        assert facts[fact] in text, (fact, text)
    assert fold(facts["unit"]) in text, text
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text) and re.search(r"\b\d{2}:\d{2}\b", text)
    assert is_gsm(text) and len(text) <= GSM_LIMIT, text
    assert not FORBIDDEN & set(text), text


def check_phone(arrived, booking, kind: str, *, has_zalo: bool) -> None:
    """Exactly one message of ``kind`` reached the phone: by ZNS when the kind has a
    template and the phone has Zalo, else by SMS (after one refused ZNS attempt)."""
    zns_kind = ZNS_KIND[kind]
    phone = booking.citizen.phone
    texts = [r["text"] for r in arrived["sms"] if r["to"] == phone]
    requests = [r for r in arrived["zns"] if r["json"]["phone"] == phone.lstrip("+")]
    row = phone_row(booking, kind)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""
    assert len(requests) == (1 if zns_kind else 0)
    assert len(texts) == (0 if zns_kind and has_zalo else 1)
    if requests:
        [request] = requests
        data = dict(facts_of(booking))
        if zns_kind == "booking_reminder":
            data["hours"] = "24"
        assert request["access_token"] == "oa-token"
        assert request["json"] == {"phone": phone.lstrip("+"),
                                   "template_id": TEMPLATES[zns_kind],
                                   "template_data": data,
                                   "tracking_id": idempotency_key(row)}
    if texts:
        [text] = texts
        check_sms(text, booking)
        assert text == row.body
    if zns_kind and has_zalo:
        assert (row.channel, row.provider_id) == ("zalo", "a1b2c3d4e5")
        assert '"Success"' in row.provider_answer
    elif zns_kind:
        assert row.channel == "sms" and row.provider_id.startswith("sms-")
        assert "zalo: " in row.provider_answer and "-118" in row.provider_answer
        assert "sms: " in row.provider_answer and row.provider_id in row.provider_answer
    else:
        assert row.channel == "sms" and row.provider_id.startswith("sms-")
        assert row.provider_id in row.provider_answer


def check_step(arrived, viewer, bookings, kind: str) -> list[int | None]:
    """Both citizens got exactly this step's messages, and nobody else anything."""
    an, binh = bookings
    assert len(arrived["mail"]) == 2
    assert sorted(to for to, _m in arrived["mail"]) == sorted(
        [[an.citizen.email], [binh.citizen.email]])
    zns_kind = ZNS_KIND[kind]
    assert len(arrived["zns"]) == (2 if zns_kind else 0)
    assert len(arrived["sms"]) == (1 if zns_kind else 2)
    check_phone(arrived, an, kind, has_zalo=True)
    check_phone(arrived, binh, kind, has_zalo=False)
    return [check_mail(arrived, viewer, booking, kind) for booking in bookings]


def book_in_wizard(client, citizen, reception, slot_index: int) -> Booking:
    """The web booking flow, one question a page, as the citizen."""
    assert log_in(client, citizen.email).status_code == 302
    start = reception.starts_at + timedelta(minutes=slot_index * reception.slot_minutes)
    for url, data in [(f"/book/unit?province={reception.unit.code}",
                       {"unit_code": reception.unit.code}),
                      ("/book/session", {"choice": str(reception.id)}),
                      ("/book/slot", {"slot_start": iso_local(start)}),
                      ("/book/type", {"matter_type": "khieu_nai"}),
                      ("/book/field", {"matter_field": "dat_dai"}),
                      ("/book/summary", {"summary": "Khiếu nại quyết định thu hồi đất."}),
                      ("/book/group", {"group_size": "1"}),
                      ("/book/files", {"continue": "1"}),
                      ("/book/consents", {"recording": "y"})]:
        response = post(client, url, data)
        assert response.status_code == 302, (url, response.get_data(as_text=True)[:1500])
    page = client.get("/book/check").get_data(as_text=True)
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1)
    assert post(client, "/book/check", {"form_token": token}).status_code == 302
    return db.session.scalar(select(Booking).where(Booking.citizen_id == citizen.id))


def test_a_booking_life_reaches_e_mail_zalo_and_sms_once_each(app, api, client, make,
                                                              peers):
    unit = make.make_unit(name="Tuyên Quang")
    host = make.make_user("host", unit=unit, full_name="Nguyễn Văn Sơn")
    secretary = make.make_user("secretary", unit=unit, full_name="Đỗ Thị Thu")
    reception = make.make_reception(unit, host, starts_in_minutes=STARTS_IN_MINUTES)
    an = make.make_user(full_name="Nguyễn Văn An", phone=ZALO_PHONE)
    binh = make.make_user(full_name="Trần Thị Bình", phone=NO_ZALO_PHONE)
    staff, viewer = app.test_client(), app.test_client()
    sign_in(staff, secretary)

    # Received: An's denunciation through the API, Bình's complaint through the wizard.
    response = api.post("/bookings", user=an, json=booking_body(
        reception, 0, matter={"type": "to_cao", "field": "dat_dai", "summary": SECRET_MATTER},
        consents={"recording": True, "online_denunciation_risk": True}))
    assert response.status_code == 201, response.get_json()
    denunciation = db.session.get(Booking, response.get_json()["id"])
    complaint = book_in_wizard(client, binh, reception, 1)
    bookings = [denunciation, complaint]
    assert [b.status for b in bookings] == [BookingStatus.PENDING] * 2
    check_step(deliver(app, peers), viewer, bookings, "booking_received")

    # Accepted at triage by the secretary.
    for booking in bookings:
        assert post(staff, f"/triage/{booking.id}", {"decision": "accept"}).status_code == 302
    bookings = [reload(b) for b in bookings]
    assert [b.status for b in bookings] == [BookingStatus.ACCEPTED] * 2
    accepted = check_step(deliver(app, peers), viewer, bookings, "booking_accepted")
    assert accepted == [1, 1]

    # Moved by the secretary, an hour later.
    for booking, slot in zip(bookings, (3, 4), strict=True):
        start = reception.starts_at + timedelta(minutes=slot * reception.slot_minutes)
        response = post(staff, f"/bookings/{booking.id}/reschedule",
                        {"choice": f"{reception.id}|{iso_local(start)}"})
        assert response.status_code == 302
        assert reload(booking).slot_start == start
    bookings = [reload(b) for b in bookings]
    assert check_step(deliver(app, peers), viewer, bookings, "booking_rescheduled") == [2, 2]

    # Reminded the day before: the job run as on that day, and its messages sent then.
    with today_in_vietnam(local_today() + timedelta(days=9)):
        job(app, "booking_reminders")
        reminded = deliver(app, peers)
        job(app, "booking_reminders")  # a second run queues nothing more
        assert deliver(app, peers)["mail"] == []
    bookings = [reload(b) for b in bookings]
    assert all(b.reminded_24h_at for b in bookings)
    assert check_step(reminded, viewer, bookings, "booking_reminder_24h") == [2, 2]

    # Cancelled: An through the API, Bình on the web page.
    assert api.post(f"/bookings/{denunciation.id}/cancel", user=an).status_code == 200
    assert post(client, f"/bookings/{complaint.id}/cancel",
                {"reason": "Bận việc gia đình"}).status_code == 302
    bookings = [reload(b) for b in bookings]
    assert [b.status for b in bookings] == [BookingStatus.CANCELLED] * 2
    assert check_step(deliver(app, peers), viewer, bookings, "booking_cancelled") == [3, 3]

    # The whole life: five e-mails, five phone messages each, every one once.
    assert deliver(app, peers) == {"mail": [], "sms": [], "zns": []}
    ids = [Mail(m["data"]).message["Message-ID"] for m in peers.mailbox.messages]
    assert len(ids) == len(set(ids)) == 10
    rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
    assert len(rows) == 20 and all(r.sent_at is not None for r in rows)
    assert sorted(r.channel for r in rows if r.user_id == an.id) == \
        ["email"] * 5 + ["sms"] + ["zalo"] * 4
    assert sorted(r.channel for r in rows if r.user_id == binh.id) == \
        ["email"] * 5 + ["sms"] * 5
    assert len(peers.zns.requests) == 8 and len(peers.gateway.requests) == 6
    for requests in (peers.gateway.requests, peers.zns.requests):
        keys = [r["idempotency_key"] for r in requests]
        assert all(keys) and len(keys) == len(set(keys))

    # The denunciation's matter never reached a phone, by either channel.
    sent = [r["json"] for r in peers.gateway.requests + peers.zns.requests]
    assert any(denunciation.tracking_code in str(request) for request in sent)
    stored = [f"{r.body} {r.facts}" for r in rows if r.channel != "email"]
    for text in [str(request) for request in sent] + stored:
        for word in SECRET_WORDS:
            assert word not in text, text
