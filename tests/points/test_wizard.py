"""The booking wizard offers "at home" or a point of the session's unit tree, and the
citizen is told where to go."""

from __future__ import annotations

import re

from app.bookings.models import Booking
from app.extensions import db
from app.timeutil import iso_local
from tests import factories as make


def _post(client, url, data):
    db.session.commit()
    response = client.post(url, data=data)
    db.session.expire_all()
    assert response.status_code == 302, (url, response.get_data(as_text=True)[:1000])
    return response


def _up_to_place(client, points, reception):
    make.sign_in(client, points.citizen)
    _post(client, "/book/unit?province=08", {"unit_code": reception.unit.code})
    _post(client, "/book/session", {"choice": str(reception.id)})
    return _post(client, "/book/slot", {"slot_start": iso_local(reception.starts_at)})


def _finish(client):
    for url, data in (("/book/type", {"matter_type": "kien_nghi"}),
                      ("/book/field", {"matter_field": "dat_dai"}),
                      ("/book/summary", {"summary": "Đề nghị sửa đường liên thôn."}),
                      ("/book/group", {"group_size": "1"}),
                      ("/book/files", {"continue": "1"}),
                      ("/book/consents", {"recording": "y"})):
        _post(client, url, data)
    page = client.get("/book/check").get_data(as_text=True)
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1)
    return page, _post(client, "/book/check", {"form_token": token})


def test_the_citizen_chooses_a_point_and_is_told_where_to_go(points, client):
    assert _up_to_place(client, points, points.reception).location == "/book/place"
    page = client.get("/book/place").get_data(as_text=True)
    assert "Tại nhà (thiết bị của tôi)" in page
    for point in (points.central, points.point_a, points.point_b):
        assert point.name in page and point.address in page
    assert page.index(points.central.name) < page.index(points.point_a.name)
    assert _post(client, "/book/place", {"join_from": "DC-02269"}).location == "/book/type"
    check, done = _finish(client)
    assert "Điểm cầu UBND xã Thượng Lâm" in check
    booking = db.session.scalar(db.select(Booking))
    assert booking.point_id == points.point_a.id
    detail = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Đến điểm cầu trước giờ hẹn 15 phút; mang CCCD." in detail
    assert "Thôn Nà Liềng, xã Thượng Lâm" in detail
    receipt = client.get(f"/bookings/{booking.id}/receipt").get_data(as_text=True)
    assert "Đến Điểm cầu UBND xã Thượng Lâm, Thôn Nà Liềng, xã Thượng Lâm trước giờ hẹn " \
           "15 phút; mang CCCD." in receipt


def test_the_message_says_where_to_go(points, client):
    from app.notify.models import Notification

    _up_to_place(client, points, points.reception)
    _post(client, "/book/place", {"join_from": "DC-02269"})
    _finish(client)
    bodies = [n.body for n in db.session.scalars(db.select(Notification))]
    assert len(bodies) == 2  # e-mail and SMS
    assert all("Thượng Lâm" in body or "Den Diem cau UBND xa Thuong Lam" in body
               for body in bodies)


def test_home_is_the_default_and_a_session_without_points_asks_nothing(points, client):
    _up_to_place(client, points, points.reception)
    _post(client, "/book/place", {"join_from": "home"})
    _finish(client)
    assert db.session.scalar(db.select(Booking)).point_id is None
    bare = make.make_unit("09", name="Tỉnh Không Điểm Cầu")
    reception = make.make_reception(bare, make.make_user("host", unit=bare))
    make.sign_in(client, points.citizen)
    _post(client, "/book/unit?province=09", {"unit_code": "09"})
    _post(client, "/book/session", {"choice": str(reception.id)})
    assert _post(client, "/book/slot", {"slot_start": iso_local(reception.starts_at)}
                 ).location == "/book/type"
