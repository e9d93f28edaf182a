"""Cancel, reschedule, triage and rating through the API; waitlist promotion."""

from datetime import timedelta

from app.bookings.models import Booking, SlotHold
from app.extensions import db
from app.timeutil import iso_local
from tests.bookings.scene import body, build_scene, notifications


def _book(api, user, reception, slot=0, **overrides):
    response = api.post("/bookings", user=user, json=body(reception, slot, **overrides))
    assert response.status_code == 201, response.get_json()
    return db.session.get(Booking, response.get_json()["id"])


def _holds(reception):
    return sorted(db.session.scalars(db.select(SlotHold.slot_start)
                                     .where(SlotHold.session_id == reception.id)))


def test_cancel_frees_the_slot_for_someone_else(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/cancel", user=scene.citizen)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert _holds(scene.reception) == []
    assert booking.open_matter_key is None and booking.ics_sequence == 1
    assert [e.status for e in booking.history] == ["pending", "cancelled"]
    assert notifications("booking_cancelled")
    assert _book(api, scene.other_citizen, scene.reception).slot_start == booking.slot_start


def test_cancel_after_the_session_started_is_409(api, make):
    scene = build_scene(make, starts_in_minutes=-10, duration_minutes=120)
    booking = make.make_booking(scene.reception, scene.citizen, slot_index=5)
    response = api.post(f"/bookings/{booking.id}/cancel", user=scene.citizen)
    assert response.status_code == 409
    assert response.get_json()["error"] == "invalid_state"


def test_cancel_twice_is_409(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    api.post(f"/bookings/{booking.id}/cancel", user=scene.citizen)
    assert api.post(f"/bookings/{booking.id}/cancel", user=scene.citizen).status_code == 409


def test_freed_slot_goes_to_the_oldest_waitlisted_booking(api, make):
    scene = build_scene(make, duration_minutes=20)
    first = _book(api, scene.citizen, scene.reception)
    waiting = [_book(api, make.make_user(), scene.reception, None, waitlist=True)
               for _ in range(2)]
    api.post(f"/bookings/{first.id}/cancel", user=scene.citizen)
    assert waiting[0].status == "pending"
    assert waiting[0].slot_start == first.slot_start
    assert [e.status for e in waiting[0].history] == ["waitlisted", "pending"]
    assert waiting[1].status == "waitlisted"
    assert {n.user_id for n in notifications("booking_promoted")} == {waiting[0].citizen_id}


def test_refusal_promotes_the_waitlist(api, make):
    scene = build_scene(make, duration_minutes=20)
    first = _book(api, scene.citizen, scene.reception)
    waiting = _book(api, scene.other_citizen, scene.reception, None, waitlist=True)
    api.post(f"/bookings/{first.id}/decision", user=scene.secretary,
             json={"decision": "refuse", "ground": "final_judgment"})
    assert waiting.status == "pending" and waiting.slot_start == first.slot_start


def test_reschedule_moves_the_hold_and_bumps_the_sequence(api, make, scene):
    later = make.make_reception(scene.unit, scene.host, starts_in_minutes=60 * 24 * 20)
    booking = _book(api, scene.citizen, scene.reception)
    target = iso_local(later.starts_at + timedelta(minutes=40))
    response = api.post(f"/bookings/{booking.id}/reschedule", user=scene.citizen,
                        json={"session_id": later.id, "slot_start": target})
    assert response.status_code == 200
    assert response.get_json()["slot_start"] == target
    assert _holds(scene.reception) == [] and len(_holds(later)) == 1
    assert booking.session_id == later.id and booking.ics_sequence == 1
    assert [e.status for e in booking.history] == ["pending"]  # same status: no new entry
    assert notifications("booking_rescheduled")


def test_reschedule_to_a_taken_slot_leaves_the_booking_intact(api, make, scene):
    booking = _book(api, scene.citizen, scene.reception, 0)
    make.make_booking(scene.reception, scene.other_citizen, slot_index=3)
    response = api.post(f"/bookings/{booking.id}/reschedule", user=scene.citizen, json={
        "session_id": scene.reception.id,
        "slot_start": iso_local(scene.reception.starts_at + timedelta(minutes=60))})
    assert response.status_code == 409
    assert response.get_json()["error"] == "slot_taken"
    assert booking.slot_start == scene.reception.starts_at and booking.ics_sequence == 0
    assert scene.reception.starts_at in _holds(scene.reception)


def test_reschedule_to_another_unit_is_422(api, make, scene):
    other = make.make_unit()
    elsewhere = make.make_reception(other, make.make_user("host", unit=other))
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/reschedule", user=scene.citizen,
                        json={"session_id": elsewhere.id})
    assert response.status_code == 422
    assert "session_id" in response.get_json()["errors"]


def test_reschedule_moves_waitlist_into_the_freed_slot(api, make):
    scene = build_scene(make, duration_minutes=20)
    later = make.make_reception(scene.unit, scene.host, starts_in_minutes=60 * 24 * 20)
    first = _book(api, scene.citizen, scene.reception)
    waiting = _book(api, scene.other_citizen, scene.reception, None, waitlist=True)
    api.post(f"/bookings/{first.id}/reschedule", user=scene.secretary,
             json={"session_id": later.id})
    assert first.session_id == later.id
    assert waiting.status == "pending" and waiting.slot_start == scene.reception.starts_at


def test_accept_is_idempotent(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    for _ in range(2):
        response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                            json={"decision": "accept"})
        assert response.status_code == 200
    assert [e.status for e in booking.history] == ["pending", "accepted"]
    assert len(notifications("booking_accepted")) == 2  # e-mail and SMS, once


def test_refuse_needs_a_legal_ground(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "refuse", "ground": "khong_thich"})
    assert response.status_code == 422
    assert "ground" in response.get_json()["errors"]
    assert booking.status == "pending"


def test_refuse_frees_slot_and_tells_the_ground(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "refuse", "ground": "already_settled",
                              "note": "Đã trả lời bằng văn bản số 12/TB."})
    assert response.get_json()["status"] == "refused"
    assert _holds(scene.reception) == [] and booking.open_matter_key is None
    message = notifications("booking_refused")[0].body
    assert "Xin lỗi" in message and "12/TB" in message and "cố tình khiếu nại" in message
    assert "Mẫu 01/TCD" in message and "03 ngày làm việc" in message


def test_a_refusal_without_written_notice_gives_the_reason_in_the_message(api, scene):
    """Decree 154/2026 Art 4.2: only Art 4.3's grounds get form 01/TCD."""
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "refuse", "ground": "outside_scope"})
    assert response.get_json()["status"] == "refused"
    message = notifications("booking_refused")[0].body
    assert "không thuộc phạm vi điều chỉnh" in message
    assert "tại tin nhắn này" in message and "Mẫu 01/TCD" not in message


def test_triage_refuses_a_ground_of_the_session(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "refuse", "ground": "weapons"})
    assert response.status_code == 422
    assert "buổi tiếp" in response.get_json()["errors"]["ground"]
    assert booking.status == "pending"


def test_redirect_to_an_agency_of_the_unit(api, make, scene):
    make.make_agency(scene.unit, "SNNMT", "Sở Nông nghiệp và Môi trường")
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "redirect", "agency": "SNNMT"})
    assert response.get_json()["status"] == "redirected"
    assert booking.redirect_agency.code == "SNNMT"
    assert "Sở Nông nghiệp" in notifications("booking_redirected")[0].body


def test_redirect_to_an_unknown_agency_is_422(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "redirect", "agency": "KHONGCO"})
    assert response.status_code == 422 and "agency" in response.get_json()["errors"]


def test_unknown_decision_is_422_and_decision_on_cancelled_is_409(api, scene):
    booking = _book(api, scene.citizen, scene.reception)
    assert api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                    json={"decision": "maybe"}).status_code == 422
    api.post(f"/bookings/{booking.id}/cancel", user=scene.citizen)
    response = api.post(f"/bookings/{booking.id}/decision", user=scene.secretary,
                        json={"decision": "accept"})
    assert response.status_code == 409


def test_rating_only_after_the_call_and_only_once(api, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, status="accepted")
    url = f"/bookings/{booking.id}/rating"
    assert api.post(url, user=scene.citizen, json={"score": 5}).status_code == 409
    booking.status = "served"
    assert api.post(url, user=scene.citizen, json={"score": 6}).status_code == 422
    assert api.post(url, user=scene.citizen, json={"score": True}).status_code == 422
    response = api.post(url, user=scene.citizen, json={"score": 4, "comment": "Tận tình."})
    assert response.status_code == 201 and response.get_json()["score"] == 4
    assert api.post(url, user=scene.citizen, json={"score": 5}).status_code == 409
