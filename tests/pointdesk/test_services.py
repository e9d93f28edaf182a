"""Booking at the desk on a citizen's behalf: a new account, or an existing one kept
secret from the operator."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.bookings.models import Booking
from app.extensions import db
from tests import factories as make


def _form(points, **overrides) -> dict:
    data = {"point": str(points.point_a.id), "slot_start": "", "full_name": "Vàng Thị Mai",
            "phone": "0978123456", "address": "Thôn Nà Liềng, xã Thượng Lâm",
            "cccd": "008185004321", "matter_type": "kien_nghi", "matter_field": "dat_dai",
            "summary": "Đề nghị sửa đường liên thôn.", "consents_confirmed": "y",
            "form_token": "desk-token-1"}
    data.update(overrides)
    return data


def _book(points, client, login, **overrides):
    login(points.operator_a)
    db.session.commit()
    response = client.post(f"/diem-cau/sessions/{points.reception.id}/book",
                           data=_form(points, **overrides), follow_redirects=True)
    db.session.expire_all()
    return response


def test_a_new_citizen_gets_an_account_without_password(points, client, login):
    response = _book(points, client, login)
    assert response.status_code == 200
    person = db.session.scalar(select(User).where(User.cccd == "008185004321"))
    assert person.password_hash is None and person.phone == "+84978123456"
    assert person.role_names == ["citizen"] and person.consent_data_at
    booking = db.session.scalar(select(Booking).where(Booking.citizen_id == person.id))
    assert booking.point_id == points.point_a.id and booking.consent_recording_at
    assert booking.assisted_by_id == points.operator_a.id
    assert booking.tracking_code in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assisted_booking"))
    assert event.actor_id == points.operator_a.id


def test_an_existing_citizen_is_reused_and_nothing_about_them_is_shown(points, client,
                                                                       login):
    known = make.make_user(full_name="Tên Thật Đã Lưu", cccd="008185004321",
                           phone="+84911222333", email="bi.mat@example.test",
                           address="Địa chỉ đã lưu")
    response = _book(points, client, login, phone="")
    page = response.get_data(as_text=True)
    booking = db.session.scalar(select(Booking).where(Booking.citizen_id == known.id))
    assert booking is not None and booking.assisted_name == "Vàng Thị Mai"
    desk = client.get("/diem-cau/").get_data(as_text=True)
    for secret in ("Tên Thật Đã Lưu", "911222333", "bi.mat@example.test", "Địa chỉ đã lưu"):
        assert secret not in page and secret not in desk
    assert "Vàng Thị Mai" in desk
    db.session.refresh(known)
    assert known.full_name == "Tên Thật Đã Lưu" and known.address == "Địa chỉ đã lưu"
    assert db.session.scalar(select(func.count(User.id)).where(
        User.cccd == "008185004321")) == 1


def test_a_citizen_found_by_phone_is_reused(points, client, login):
    known = make.make_user(phone="+84978123456", cccd=None)
    _book(points, client, login)
    assert db.session.scalar(select(Booking.citizen_id)) == known.id


def test_consents_must_be_confirmed(points, client, login):
    response = _book(points, client, login, consents_confirmed="")
    assert "đồng ý trực tiếp tại điểm cầu" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    assert db.session.scalar(select(func.count(User.id)).where(
        User.cccd == "008185004321")) == 0


def test_a_double_click_books_once_and_a_duplicate_matter_is_refused(points, client, login):
    _book(points, client, login)
    _book(points, client, login)
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    response = _book(points, client, login, form_token="desk-token-2")
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert "đang mở cho cùng vụ việc" in response.get_data(as_text=True)


def test_a_denunciation_records_the_risk_consent(points, client, login):
    _book(points, client, login, matter_type="to_cao")
    booking = db.session.scalar(select(Booking))
    assert booking.consent_denunciation_risk_at is not None


def test_another_points_operator_cannot_book_for_a_session_it_does_not_serve(points, client,
                                                                              login):
    commune_session = make.make_reception(points.commune, points.host)
    login(points.operator_b)
    db.session.commit()
    assert client.get(f"/diem-cau/sessions/{commune_session.id}/book").status_code == 404
