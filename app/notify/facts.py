"""The facts of a message about a booking: what an SMS template or a Zalo ZNS template
renders (CONTRACT §6), stored with the outbox row (``Notification.facts``).

Plain strings only: the tracking code, the date ``dd/mm/yyyy`` and time ``HH:MM`` in
Vietnam time, the unit's name and an absolute link to the public tracking page. The
link has no query string and names nobody: the tracking code and the phone's last
digits are typed there. No free text of the booking (its matter, a staff note, a
refusal's grounds) is ever a fact, so a denunciation's matter never reaches a phone.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, url_for

from ..timeutil import to_local

TRACKING_ENDPOINT = "bookings.track"
REMINDER_HOURS = {"booking_reminder_24h": "24", "booking_reminder_1h": "1"}


def external_url(endpoint: str, **values) -> str:
    """An absolute URL: SITE_URL when configured, else the request's host."""
    site = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if has_request_context():
        return site + url_for(endpoint, **values) if site else \
            url_for(endpoint, _external=True, **values)
    server = current_app.config.get("SERVER_NAME") or "localhost"
    path = current_app.url_map.bind(server).build(endpoint, values)
    return (site or f"http://{server}") + path


def booking_facts(booking, kind: str, *, reception=None, old_start: datetime | None = None,
                  agency_name: str = "", **_ignored) -> dict[str, str]:
    """The facts of a message of ``kind`` about ``booking``.

    ``reception`` is the booking's session (given when the session itself changed);
    ``old_start`` the session's former start (a moved session); ``agency_name`` the
    competent agency (a redirected case). Other keywords (a note, the grounds of a
    refusal) are free text and are left out on purpose.
    """
    reception = reception or booking.reception
    moment = to_local(booking.slot_start or reception.starts_at)
    facts = {"tracking_code": booking.tracking_code,
             "date": moment.strftime("%d/%m/%Y") if moment else "",
             "time": moment.strftime("%H:%M") if moment else "",
             "unit": reception.unit.name if reception.unit is not None else "",
             "link": external_url(TRACKING_ENDPOINT)}
    point = getattr(booking, "point", None)
    if point is not None:  # the citizen comes to a reception point (CONTRACT §10)
        facts["point"] = f"{point.name}, {point.address}" if point.address else point.name
    if kind in REMINDER_HOURS:
        facts["hours"] = REMINDER_HOURS[kind]
    if kind == "booking_redirected" and agency_name:
        facts["agency"] = agency_name
    if old_start is not None:
        old = to_local(old_start)
        facts.update(old_date=old.strftime("%d/%m/%Y"), old_time=old.strftime("%H:%M"))
    return facts
