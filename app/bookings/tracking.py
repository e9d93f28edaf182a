"""The public tracking of a case: tracking code + last four digits of the phone.

The answer says how the case moves and nothing about who brought it: no name,
phone, CCCD, address or summary. A wrong code and a wrong phone give the same
"not found", so the page cannot be used to test either.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select

from sessions.tracking import normalize_tracking_code

from ..extensions import db, limiter
from ..timeutil import iso_local, to_local
from .access import history
from .models import Booking

TASK_STATES = "tracking_task_states"

#: Wrong lookups allowed per tracking code, whatever the addresses they come from: the
#: phone's last four digits are only 10,000 guesses. One count for the page and the
#: API, kept in the limiter's shared storage so every process sees it.
FAILED_LOOKUPS_PER_CODE = "10 per hour"


def code_key(code: object) -> str:
    """The limiter key of a tracking code as typed (read leniently, like the lookup)."""
    text = code if isinstance(code, str) else ""
    return "track:" + (normalize_tracking_code(text) or text.strip().upper()[:40])


def _lookup_failed(response) -> bool:
    return response.status_code == 404


def limit_failed_lookups(code_of):
    """The decorator limiting a tracking route by the code ``code_of()`` reads."""
    return limiter.shared_limit(FAILED_LOOKUPS_PER_CODE, scope="tracking_code",
                                key_func=lambda: code_key(code_of()),
                                deduct_when=_lookup_failed, error_message="rate_limited")


def find_tracked(code: object, phone_last4: object) -> Booking | None:
    """The booking with this code whose citizen's phone ends with ``phone_last4``."""
    normalized = normalize_tracking_code(code) if isinstance(code, str) else None
    digits = phone_last4.strip() if isinstance(phone_last4, str) else ""
    if normalized is None or len(digits) != 4 or not digits.isdigit():
        return None
    booking = db.session.scalar(select(Booking).where(Booking.tracking_code == normalized))
    phone = (booking.citizen.phone or "") if booking is not None else "0000"
    # Compare in constant time, also when the code is unknown.
    if not hmac.compare_digest(phone[-4:].encode(), digits.encode()) or booking is None:
        return None
    return booking


def offer_task_states(app: Flask, states: Callable[[Booking], list[dict]]) -> None:
    """Let the tasks package give the case's tasks to the tracking answer.

    Tasks sit above bookings in the package graph, so they register here at start-up
    (app/tasks/views.py) instead of bookings importing them.
    """
    app.extensions[TASK_STATES] = states


def task_states(booking: Booking) -> list[dict]:
    """Follow-up tasks of the case and their states, when the tasks package offers them."""
    states = current_app.extensions.get(TASK_STATES)
    return states(booking) if states else []


def tracking_dict(booking: Booking) -> dict:
    """Status timeline, session date and tasks: nothing that identifies anyone."""
    reception = booking.reception
    return {
        "tracking_code": booking.tracking_code,
        "status": booking.status,
        "matter_type": booking.matter_type,
        "unit_name": reception.unit.name,
        "session_date": to_local(reception.starts_at).date().isoformat(),
        "session_starts_at": iso_local(reception.starts_at),
        "slot_start": iso_local(booking.slot_start),
        "history": history(booking),
        "tasks": task_states(booking),
    }
