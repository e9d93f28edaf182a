"""/diem-cau: the operator's desk, as every kind of caller."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.start import start_endpoint
from app.bookings.access import DENOUNCER_WORDS
from app.extensions import db
from app.live.models import QueueEntry
from app.live.services import load_snapshot
from app.timeutil import utcnow
from tests import factories as make

DESK = "/diem-cau/"


def _booking(points, point, citizen=None, **fields):
    return make.make_booking(points.reception, citizen or make.make_user(), point_id=point.id,
                             **fields)


def _page(client, path=DESK) -> str:
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in_and_a_citizen_is_refused(points, client, login):
    db.session.commit()
    assert "/login" in client.get(DESK).headers["Location"]
    login(points.citizen)
    assert client.get(DESK).status_code == 403


def test_the_operator_sees_only_their_point_and_names_but_no_denouncer(points, client, login):
    mine = _booking(points, points.point_a, points.citizen, slot_index=0)
    denouncer = make.make_user(full_name="Lê Văn Tố", phone="+84987654321")
    _booking(points, points.point_a, denouncer, slot_index=1, matter_type="to_cao")
    _booking(points, points.point_b, make.make_user(full_name="Đinh Thị Khác"), slot_index=2)
    _booking(points, points.central, make.make_user(full_name="Vi Văn Trung"), slot_index=3)
    login(points.operator_a)
    page = _page(client)
    assert "Nguyễn Văn An" in page and mine.tracking_code not in page
    assert "Lê Văn Tố" not in page and "L. V. T" not in page and "987654321" not in page
    assert str(DENOUNCER_WORDS) in page
    assert "Đinh Thị Khác" not in page and "Vi Văn Trung" not in page


def test_check_in_puts_the_citizen_in_the_queue_in_slot_order(points, client, login):
    first = _booking(points, points.point_a, slot_index=0)
    second = _booking(points, points.point_a, slot_index=1)
    login(points.operator_a)
    db.session.commit()
    for booking in (second, first):  # the later slot arrives first
        response = client.post(f"/diem-cau/bookings/{booking.id}/check-in")
        assert response.status_code == 302
    entries = {e.booking_id: e for e in db.session.scalars(select(QueueEntry))}
    assert entries[first.id].checked_in_at and entries[second.id].checked_in_at
    snap = load_snapshot(points.reception, utcnow())
    assert snap.positions[first.id].position == 1
    assert snap.positions[second.id].position == 2
    assert "Đã có mặt" in _page(client)


def test_an_operator_cannot_check_in_another_points_citizen(points, client, login):
    booking = _booking(points, points.point_a, slot_index=0)
    login(points.operator_b)
    db.session.commit()
    assert client.post(f"/diem-cau/bookings/{booking.id}/check-in").status_code == 404
    entry = db.session.scalar(select(QueueEntry).where(QueueEntry.booking_id == booking.id))
    assert entry is None or entry.checked_in_at is None


def test_a_closed_room_refuses_check_in(points, client, login):
    later = make.make_reception(points.province, points.host, starts_in_minutes=60 * 24 * 3)
    booking = make.make_booking(later, points.citizen, point_id=points.point_a.id)
    login(points.operator_a)
    db.session.commit()
    response = client.post(f"/diem-cau/bookings/{booking.id}/check-in",
                           follow_redirects=True)
    assert "Phòng tiếp chưa mở" in response.get_data(as_text=True)
    assert db.session.scalar(select(QueueEntry).where(
        QueueEntry.booking_id == booking.id, QueueEntry.checked_in_at.is_not(None))) is None


def test_the_operators_start_page_is_the_desk(points):
    assert start_endpoint(points.operator_a) == "pointdesk.index"


def test_the_point_console_is_linked_only_where_the_live_side_has_it(points, app, client,
                                                                      login):
    login(points.operator_a)
    page = _page(client)
    console = f"/live/{points.reception.id}/point"
    assert (console in page) == ("live.point_console" in app.view_functions)
    assert f"/diem-cau/sessions/{points.reception.id}/book" in page
