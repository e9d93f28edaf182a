"""Who may have a booking's papers: the extract of the conclusion notice."""

from __future__ import annotations

from ..bookings.access import is_owner, may_see_identity
from ..bookings.models import Booking
from ..minutes.access import reception_role


def may_get_extract(user, booking: Booking) -> bool:
    """The booking's citizen, and those who work its session (acting host, secretaries
    of the unit); for a denunciation, of those only who may see the denouncer
    (CONTRACT §8)."""
    if is_owner(user, booking):
        return True
    if reception_role(user, booking.reception) not in ("host", "secretary"):
        return False
    return not booking.is_denunciation or may_see_identity(user, booking)
