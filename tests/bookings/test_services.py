"""Booking services called directly (no request): keys, statuses, holds."""

import pytest

from app.bookings import services
from app.bookings.models import Booking, SlotHold
from app.extensions import db
from sessions.errors import CoreError as BookingError
from tests.bookings.scene import body, build_scene


def test_matter_key_ignores_spacing_and_case():
    key = services.matter_key(1, "khieu_nai", "dat_dai", "Đất  của tôi\n bị lấn")
    assert key == services.matter_key(1, "khieu_nai", "dat_dai", " đất của TÔI bị lấn ")
    assert key != services.matter_key(2, "khieu_nai", "dat_dai", "Đất của tôi bị lấn")
    assert key != services.matter_key(1, "to_cao", "dat_dai", "Đất của tôi bị lấn")


def test_create_booking_returns_created_flag_and_replays(scene):
    booking, created = services.create_booking(scene.citizen, body(scene.reception),
                                               idempotency_key="k1")
    again, created_again = services.create_booking(scene.citizen, body(scene.reception, 2),
                                                   idempotency_key="k1")
    assert created and not created_again and again.id == booking.id


def test_service_errors_carry_contract_codes(scene):
    services.create_booking(scene.citizen, body(scene.reception, 1))
    with pytest.raises(BookingError) as caught:
        services.create_booking(scene.other_citizen, body(scene.reception, 1))
    assert (caught.value.status, caught.value.code) == (409, "slot_taken")


def test_change_status_applies_once(scene, make):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending")
    services.change_status(booking, ("pending",), "accepted")
    with pytest.raises(BookingError) as caught:
        services.change_status(booking, ("pending",), "accepted")
    assert caught.value.code == "invalid_state"
    assert booking.status == "accepted"


def test_leaving_open_statuses_clears_the_matter_key(scene, make):
    booking = make.make_booking(scene.reception, scene.citizen, open_matter_key="a" * 64)
    services.change_status(booking, ("accepted",), "served")
    assert booking.open_matter_key is None


def test_promote_waitlist_fills_free_slots_oldest_first(make):
    scene = build_scene(make, duration_minutes=40)
    older = make.make_booking(scene.reception, scene.citizen, slot_index=None,
                              status="waitlisted")
    newer = make.make_booking(scene.reception, scene.other_citizen, slot_index=None,
                              status="waitlisted")
    promoted = services.promote_waitlist(scene.reception)
    assert [b.id for b in promoted] == [older.id, newer.id]
    assert db.session.scalar(db.select(db.func.count(SlotHold.id))) == 2


def test_waitlist_position(make):
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, make.make_user())
    first = make.make_booking(scene.reception, scene.citizen, slot_index=None,
                              status="waitlisted")
    second = make.make_booking(scene.reception, scene.other_citizen, slot_index=None,
                               status="waitlisted")
    assert services.waitlist_position(first) == 1
    assert services.waitlist_position(second) == 2
    assert services.waitlist_position(db.session.scalars(db.select(Booking)).first()) is None


def _stale_state(monkeypatch):
    """The session's state as a request read it just before others took every slot it saw
    free: no slot held."""
    fresh = services._session_state

    def stale(session_id, open_key):
        reception, duplicate, _held = fresh(session_id, open_key)
        return reception, duplicate, set()

    monkeypatch.setattr(services, "_session_state", stale)


def _hold_of(booking):
    db.session.expire_all()
    return db.session.scalar(db.select(SlotHold.slot_start)
                             .where(SlotHold.booking_id == booking.id))


def test_a_slot_taken_after_the_check_moves_the_booking_to_the_next_free_one(make,
                                                                             monkeypatch):
    scene = build_scene(make, duration_minutes=60)  # 3 slots
    first = services.create_booking(make.make_user(), body(scene.reception, None))[0]
    _stale_state(monkeypatch)
    booking = services.create_booking(scene.citizen, body(scene.reception, None))[0]
    db.session.commit()
    assert first.slot_start == scene.reception.starts_at
    assert booking.slot_start == _hold_of(booking) != first.slot_start
    assert db.session.get(Booking, booking.id).slot_start == _hold_of(booking)


def test_a_full_session_found_only_at_the_insert_writes_nothing_or_waitlists(make,
                                                                             monkeypatch):
    scene = build_scene(make, duration_minutes=20)  # 1 slot
    services.create_booking(make.make_user(), body(scene.reception, None))
    db.session.commit()
    _stale_state(monkeypatch)
    with pytest.raises(BookingError) as caught:
        services.create_booking(scene.citizen, body(scene.reception, None))
    assert caught.value.code == "session_full"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 1
    waiting = services.create_booking(scene.citizen, body(scene.reception, None,
                                                          waitlist=True))[0]
    db.session.commit()
    assert (waiting.status, waiting.slot_start, _hold_of(waiting)) == ("waitlisted", None, None)
    assert [e.status for e in db.session.get(Booking, waiting.id).history] == ["waitlisted"]
