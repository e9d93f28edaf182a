"""Messages to citizens and the signed links they carry."""

import re

from app.bookings.messages import compose, read_link, sign_link
from tests.bookings.scene import build_scene


def test_signed_link_round_trip_and_salt_per_action(make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen)
    token = sign_link(booking, "cancel")
    assert read_link(token, "cancel") == (booking.id, booking.ics_sequence)
    assert read_link(token, "reschedule") is None
    assert read_link(token[:-2] + "xx", "cancel") is None
    assert read_link(token, "delete") is None


def test_message_has_code_local_time_and_links(make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen, status="pending")
    subject, body = compose(booking, "booking_received")
    assert booking.tracking_code in subject and booking.tracking_code in body
    assert re.search(r"Thời gian: \d{2}/\d{2}/\d{4} \d{2}:\d{2}", body)
    assert body.startswith("Xin chào ông/bà Nguyễn Văn An,")
    assert "Xin trân trọng cảm ơn." in body
    assert "http://localhost/bookings/link/cancel/" in body


def test_closed_booking_message_has_no_action_links(make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen, status="cancelled")
    _subject, body = compose(booking, "booking_cancelled", by_staff=True)
    assert "/bookings/link/" not in body
    assert "Xin lỗi" in body


def test_site_url_is_used_for_links(app, make):
    app.config["SITE_URL"] = "https://tiepcongdan.tuyenquang.gov.vn"
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen)
    _subject, body = compose(booking, "booking_accepted")
    assert "https://tiepcongdan.tuyenquang.gov.vn/bookings/link/cancel/" in body
