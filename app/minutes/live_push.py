"""Saved minutes reach the session's consoles at once (Socket.IO namespace ``/live``).

The secretary writes in the console with autosave; each saved version is sent as a
``minutes`` event (the payload of :func:`app.minutes.services.minutes_payload`) to
the session's staff room — the host and the secretaries, never the citizens or the
public display — so the chairman reads the minutes as they are written. The send
needs only ``socketio.emit``: it reaches sockets held by other processes through the
message queue when one is configured.
"""

from __future__ import annotations

import logging

from ..extensions import socketio
from ..live.rooms import NAMESPACE, room_name

log = logging.getLogger(__name__)


def push_minutes(booking, payload: dict) -> None:
    """Send a saved version to the staff of the booking's session (after the commit)."""
    try:
        socketio.emit("minutes", {**payload, "session_id": booking.session_id},
                      to=room_name(booking.session_id, "staff"), namespace=NAMESPACE)
    except Exception:  # noqa: BLE001 - the save stands; the consoles also poll
        log.exception("minutes of booking %s not pushed to the live room", booking.id)
