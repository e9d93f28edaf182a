"""Zalo ZNS (CONTRACT §6) against real local HTTP servers answering as Zalo and as an SMS
gateway: the channel chosen at queue time, the request, the fallback to SMS when the
phone has no Zalo, retries of transient errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.bookings.messages import notify_booking
from app.extensions import db
from app.notify.facts import booking_facts
from app.notify.jobs import dispatch_outbox
from app.notify.models import Notification
from app.notify.senders import idempotency_key
from app.notify.services import queue_notification
from app.notify.zalo import ZNS_KINDS, template_data, zns_phone
from app.timeutil import utcnow
from tests import factories
from tests.notify.conftest import ZNS_NO_ZALO, ZNS_TEMPLATES


def phone_rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.channel != "email")
                                   .order_by(Notification.id)))


@pytest.fixture
def booking(zalo_app, scene):
    return factories.make_booking(scene.reception, scene.citizen)


def test_a_kind_with_a_template_goes_by_zalo_and_others_by_sms(booking):
    notify_booking(booking, "booking_accepted", dedupe_key="b:accepted")
    notify_booking(booking, "booking_refused", dedupe_key="b:refused")
    queue_notification(booking.citizen, "password_reset_code", "Mã", "Mã: 482913")
    db.session.commit()
    assert [(r.kind, r.channel) for r in phone_rows()] == [
        ("booking_accepted", "zalo"), ("booking_refused", "sms"),
        ("password_reset_code", "sms")]
    accepted = phone_rows()[0]
    assert accepted.dedupe_key == "b:accepted:sms"  # one message per phone, either channel
    assert accepted.body.startswith("UBND ") and booking.tracking_code in accepted.body


def test_every_zns_kind_of_the_contract_has_kinds_of_ours():
    assert set(ZNS_KINDS.values()) == set(ZNS_TEMPLATES)
    assert ZNS_KINDS["booking_rescheduled"] == ZNS_KINDS["session_rescheduled"] == "booking_moved"
    assert "password_reset_code" not in ZNS_KINDS


def test_without_zalo_settings_everything_goes_by_sms(app, scene):
    app.config["ZALO_ZNS_TEMPLATES"] = dict(ZNS_TEMPLATES)  # templates, but no ZALO_ZNS_URL
    notify_booking(factories.make_booking(scene.reception, scene.citizen), "booking_accepted")
    db.session.commit()
    assert [r.channel for r in phone_rows()] == ["sms"]


def test_zns_gets_its_own_format_and_the_message_id_is_kept(booking, zns, sms_gateway):
    notify_booking(booking, "booking_reminder_24h")
    db.session.commit()
    [row] = phone_rows()
    assert dispatch_outbox()["sent"] == 2  # the e-mail (log) and the Zalo message
    [request] = zns.requests
    assert request["access_token"] == "oa-token"
    assert request["json"] == {
        "phone": "84912345678", "template_id": "301005",
        "template_data": {**{k: v for k, v in booking_facts(booking, "booking_reminder_24h")
                             .items() if k in ("tracking_code", "date", "time", "unit",
                                               "link")}, "hours": "24"},
        "tracking_id": idempotency_key(row)}
    row = phone_rows()[0]
    assert (row.channel, row.provider_id) == ("zalo", "a1b2c3d4e5")
    assert '"Success"' in row.provider_answer and row.sent_at is not None
    assert sms_gateway.requests == []


def test_a_phone_without_zalo_gets_the_sms_instead(booking, zns, sms_gateway):
    zns.answer = dict(ZNS_NO_ZALO)
    notify_booking(booking, "booking_accepted")
    db.session.commit()
    [row] = phone_rows()
    assert dispatch_outbox()["sent"] == 2
    assert len(zns.requests) == 1
    [sent] = sms_gateway.requests
    assert sent["json"] == {"to": "+84912345678", "text": row.body}
    assert sent["idempotency_key"] == idempotency_key(row)
    row = phone_rows()[0]
    assert (row.channel, row.attempts, row.provider_id) == ("sms", 1, "sms-1")
    assert row.sent_at is not None and row.last_error == ""
    assert "zalo: " in row.provider_answer and "-118" in row.provider_answer
    assert "sms: " in row.provider_answer and '"sms-1"' in row.provider_answer
    assert dispatch_outbox()["sent"] == 0
    assert len(zns.requests) == 1 and len(sms_gateway.requests) == 1  # never both, never twice
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2


@pytest.mark.parametrize("status, answer, error", [
    (200, {"error": -124, "message": "Access token invalid"}, "Zalo ZNS error -124"),
    (200, {"error": -100, "message": "Unknown error"}, "Zalo ZNS error -100"),
    (502, {"message": "Bad gateway"}, "HTTP 502"),
])
def test_a_transient_zns_error_is_retried_later_by_zalo(booking, zns, sms_gateway,
                                                       status, answer, error):
    zns.status, zns.answer = status, answer
    notify_booking(booking, "booking_received")
    db.session.commit()
    dispatch_outbox()
    [row] = phone_rows()
    assert (row.channel, row.sent_at, row.attempts) == ("zalo", None, 1)
    assert error in row.last_error and row.send_after > utcnow()
    assert sms_gateway.requests == []
    row.send_after = utcnow()
    db.session.commit()
    zns.status, zns.answer = 200, {"error": 0, "message": "Success", "data": {"msg_id": "m2"}}
    assert dispatch_outbox()["sent"] == 1
    first, second = zns.requests
    assert first["json"]["tracking_id"] == second["json"]["tracking_id"] == idempotency_key(row)
    assert phone_rows()[0].provider_id == "m2"


def test_when_the_sms_after_zalo_fails_it_is_retried_by_sms(booking, zns, sms_gateway):
    zns.answer, sms_gateway.status = dict(ZNS_NO_ZALO), 503
    notify_booking(booking, "booking_cancelled")
    db.session.commit()
    dispatch_outbox()
    [row] = phone_rows()
    assert (row.channel, row.sent_at) == ("sms", None) and "HTTP 503" in row.last_error
    row.send_after, sms_gateway.status = utcnow(), 200
    db.session.commit()
    assert dispatch_outbox()["sent"] == 1
    assert len(zns.requests) == 1 and len(sms_gateway.requests) == 2


@pytest.mark.parametrize("phone, expected", [("0912345678", "84912345678"),
                                             ("+84 912 345 678", "84912345678"),
                                             ("84912345678", "84912345678")])
def test_phones_go_to_zns_as_84_and_the_number(phone, expected):
    assert zns_phone(phone) == expected


def test_template_data_holds_the_template_s_parameters_only():
    facts = {"tracking_code": "C", "date": "d", "time": "t", "unit": "u", "link": "l",
             "agency": "Sở Xây dựng", "old_date": "x"}
    assert template_data("session_rescheduled", facts) == {
        "tracking_code": "C", "date": "d", "time": "t", "unit": "u", "link": "l"}


def test_a_bad_zalo_template_setting_stops_the_start():
    from app import create_app

    with pytest.raises(RuntimeError, match="ZALO_ZNS_TEMPLATES must be a JSON object"):
        create_app({"APP_ENV": "testing", "ZALO_ZNS_TEMPLATES": "booking_received=1"})
    app = create_app({"APP_ENV": "testing",
                      "ZALO_ZNS_TEMPLATES": '{"booking_received": "301001"}'})
    assert app.config["ZALO_ZNS_TEMPLATES"] == {"booking_received": "301001"}


SECRET_MATTER = "Tố cáo Chủ tịch xã Nguyễn Văn Bí nhận hối lộ đất"


def test_no_text_of_a_denunciation_reaches_a_phone(zalo_app, zns, sms_gateway, scene):
    """Every booking message, even given the matter as a note, grounds or agency."""
    from app.notify.sms import TEMPLATES
    from app.schedules.notices import notify_cancelled, notify_deputy, notify_rescheduled

    booking = factories.make_booking(scene.reception, scene.citizen, matter_type="to_cao",
                                     summary=SECRET_MATTER)
    kinds = [k for k in TEMPLATES if k.startswith("booking_")]
    for kind in kinds:
        notify_booking(booking, kind, note=SECRET_MATTER, ground_text=SECRET_MATTER,
                       by_staff=True)
    notify_rescheduled(booking, scene.reception, scene.reception.starts_at)
    notify_cancelled(booking, scene.reception, SECRET_MATTER)
    notify_deputy(booking, scene.reception)
    db.session.commit()
    zns.answer = dict(ZNS_NO_ZALO)  # half by Zalo, then all by SMS
    dispatch_outbox()
    zns.answer = {"error": 0, "message": "Success", "data": {"msg_id": "m"}}
    for row in phone_rows():
        row.send_after, row.channel = utcnow(), "zalo" if row.kind in ZNS_KINDS else "sms"
        row.sent_at = None
    db.session.commit()
    dispatch_outbox()
    rows = phone_rows()
    assert len(rows) == len(kinds) + 3 and {r.channel for r in rows} == {"sms", "zalo"}
    sent = [str(r["json"]) for r in zns.requests + sms_gateway.requests]
    stored = [f"{r.body} {r.facts}" for r in rows]
    assert len(sent) > len(rows)
    for text in sent + stored:
        for word in ("Bí", "Bi", "hối lộ", "hoi lo", "Nguyễn Văn", "Nguyen Van"):
            assert word not in text, text
