"""Scheduled jobs: reminders 24 h and 1 h ahead, expiry of unconfirmed bookings; run twice."""

from datetime import timedelta

from app.bookings import jobs
from app.bookings.models import SlotHold
from app.extensions import db
from app.timeutil import utcnow
from tests.bookings.scene import build_scene, notifications


def _run_twice(job, **kwargs):
    first = job(**kwargs)
    db.session.commit()
    second = job(**kwargs)
    db.session.commit()
    return first, second


def test_day_before_reminder_is_sent_once(make):
    scene = build_scene(make, starts_in_minutes=20 * 60)
    booking = make.make_booking(scene.reception, scene.citizen, status="accepted")
    assert _run_twice(jobs.send_reminders) == (1, 0)
    sent = notifications("booking_reminder_24h")
    assert len(sent) == 2  # e-mail and SMS
    assert booking.tracking_code in sent[0].body
    assert booking.reminded_24h_at is not None and booking.reminded_1h_at is None


def test_hour_before_reminder_is_sent_once_and_replaces_the_day_before(make):
    scene = build_scene(make, starts_in_minutes=45)
    make.make_booking(scene.reception, scene.citizen, status="accepted")
    assert _run_twice(jobs.send_reminders) == (1, 0)
    assert notifications("booking_reminder_1h") and not notifications("booking_reminder_24h")


def test_both_reminders_over_time(make):
    scene = build_scene(make, starts_in_minutes=20 * 60)
    make.make_booking(scene.reception, scene.citizen, status="accepted")
    jobs.send_reminders()
    later = utcnow() + timedelta(hours=19, minutes=30)
    assert _run_twice(jobs.send_reminders, now=later) == (1, 0)
    assert len(notifications("booking_reminder_1h")) == 2


def test_pending_and_far_bookings_get_no_reminder(make):
    scene = build_scene(make, starts_in_minutes=20 * 60)
    make.make_booking(scene.reception, scene.citizen, status="pending")
    far = make.make_reception(scene.unit, scene.host, starts_in_minutes=3 * 24 * 60)
    make.make_booking(far, scene.other_citizen, status="accepted")
    assert jobs.send_reminders() == 0


def test_reminders_message_is_polite_with_time_and_links(make):
    scene = build_scene(make, starts_in_minutes=20 * 60)
    booking = make.make_booking(scene.reception, scene.citizen, status="accepted")
    jobs.send_reminders()
    body = notifications("booking_reminder_24h")[0].body
    assert body.startswith("Xin chào ông/bà Nguyễn Văn An")
    assert booking.slot_start.strftime("%Y") in body and "Xin trân trọng cảm ơn" in body
    assert "/bookings/link/cancel/" in body and "/bookings/link/reschedule/" in body


def test_unconfirmed_bookings_of_ended_sessions_expire_once(make):
    scene = build_scene(make, starts_in_minutes=-180, duration_minutes=120)
    pending = make.make_booking(scene.reception, scene.citizen, status="pending")
    served = make.make_booking(scene.reception, scene.other_citizen, slot_index=1,
                               status="served")
    assert _run_twice(jobs.expire_unconfirmed) == (1, 0)
    assert pending.status == "cancelled" and pending.open_matter_key is None
    assert pending.history[-1].note == "expired"
    assert served.status == "served"
    assert db.session.scalar(db.select(SlotHold.id).where(
        SlotHold.booking_id == pending.id)) is None
    assert "Xin lỗi" in notifications("booking_expired")[0].body


def test_sessions_under_way_are_not_expired(make):
    scene = build_scene(make, starts_in_minutes=-30, duration_minutes=120)
    booking = make.make_booking(scene.reception, scene.citizen, status="pending")
    assert jobs.expire_unconfirmed() == 0
    assert booking.status == "pending"
