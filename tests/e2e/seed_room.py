"""Prepare the database of the browser tests: one online session with one citizen.

Run as ``python -m tests.e2e.seed_room`` with the server's environment; prints JSON
``{"password", "rooms": [{"session_id", "booking_id", "ticket", "host_email",
"citizen_email", "citizen_name", "host_name"}, ...]}`` (one room per browser test, so
that the tests do not depend on each other's order).
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

PASSWORD = "Mat-khau-e2e-2026"
ROOMS = 7
WITHOUT_CONSENT = 6  # the index of the room whose citizen has not consented yet


def main() -> None:
    """Seed ROOMS ad-hoc online sessions starting in ten minutes, with loginable people."""
    from app import create_app
    from app.auth.services import hash_password
    from app.extensions import db
    from app.loadfixture import seed_load

    app = create_app()
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        rooms = [_room(db, seeded["id"], password_hash, consent=i != WITHOUT_CONSENT)
                 for i, seeded in enumerate(seed_load(ROOMS, 1)["sessions"])]
        db.session.commit()
        print(json.dumps({"password": PASSWORD, "rooms": rooms}))


def _room(db, session_id: int, password_hash: str, consent: bool) -> dict:
    from app.bookings.models import Booking, SlotHold
    from app.live.models import QueueEntry
    from app.schedules.models import ReceptionSession

    reception = db.session.get(ReceptionSession, session_id)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == reception.id))
    shift = timedelta(minutes=8)
    reception.starts_at += shift
    reception.ends_at += shift
    for hold in db.session.scalars(select(SlotHold).where(SlotHold.booking_id == booking.id)):
        hold.slot_start += shift
    booking.slot_start += shift
    if not consent:
        booking.consent_recording_at = None
    host, citizen = reception.hosted_by, booking.citizen
    for person in (host, citizen):
        person.password_hash = password_hash
    ticket = db.session.scalar(select(QueueEntry.ticket)
                               .where(QueueEntry.booking_id == booking.id))
    return {"session_id": reception.id, "booking_id": booking.id, "ticket": ticket,
            "host_email": host.email, "citizen_email": citizen.email,
            "citizen_name": citizen.full_name, "host_name": host.full_name}


if __name__ == "__main__":
    main()
