"""What the booking tests count and read back; their scene lives in tests/factories.py.

``build_scene`` and ``body`` stay importable from here for the tests that use these names.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.bookings.models import Attachment, Booking, BookingEvent, IdempotencyKey, Rating, SlotHold
from app.extensions import db
from app.notify.models import Notification
from tests import factories
from tests.factories import Scene
from tests.factories import booking_body as body  # noqa: F401

COUNTED = (Booking, BookingEvent, SlotHold, IdempotencyKey, Attachment, Rating, Notification)


def build_scene(make=factories, **reception_options) -> Scene:
    """The scene of factories.build_scene (``make`` is not needed)."""
    return factories.build_scene(**reception_options)


def row_counts() -> dict[str, int]:
    """How many rows each booking-related table holds (to prove nothing was written)."""
    db.session.expire_all()
    counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
              for m in COUNTED}
    return counts


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def notifications(kind: str | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))
