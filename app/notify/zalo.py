"""Zalo ZNS: which messages go by Zalo, and in which template (CONTRACT §6).

``ZALO_ZNS_TEMPLATES`` maps the ZNS kinds of CONTRACT §6 to the template ids approved
for the Official Account. Our message kinds map to them below; a kind without a
template, and ``password_reset_code`` always, goes by SMS.
"""

from __future__ import annotations

# Our message kind → the ZNS kind of CONTRACT §6.
ZNS_KINDS = {
    "booking_received": "booking_received",
    "booking_accepted": "booking_accepted",
    "booking_rescheduled": "booking_moved",
    "session_rescheduled": "booking_moved",
    "booking_cancelled": "booking_cancelled",
    "session_cancelled": "booking_cancelled",
    "booking_reminder_24h": "booking_reminder",
    "booking_reminder_1h": "booking_reminder",
    "turn_near": "turn_near",
}
CONTRACT_KINDS = frozenset(ZNS_KINDS.values())
NEVER_BY_ZALO = frozenset({"password_reset_code"})
# The template parameters of every ZNS kind, and those some kinds add.
FIELDS = ("tracking_code", "date", "time", "unit", "link")
EXTRA_FIELDS = {"booking_reminder": ("hours",)}
# ZNS error codes that refuse the phone itself (no Zalo account, an account that
# cannot receive ZNS, an invalid number, a Zalo app too old, a user who blocks
# the messages): the message goes by SMS instead. Every other error is retried.
# zalo.cloud/zns/guidelines/handle-error-code lists the codes.
PHONE_REFUSALS = frozenset({-108, -110, -114, -118, -119})


def templates(config) -> dict[str, str]:
    """``ZALO_ZNS_TEMPLATES``: ZNS kind → template id (app/config.py reads the JSON)."""
    return {str(k): str(v) for k, v in (config.get("ZALO_ZNS_TEMPLATES") or {}).items()
            if k in CONTRACT_KINDS and v}


def template_for(kind: str, config) -> str | None:
    """The ZNS template id a message of ``kind`` goes in, or None (it goes by SMS)."""
    if kind in NEVER_BY_ZALO or kind not in ZNS_KINDS:
        return None
    return templates(config).get(ZNS_KINDS[kind]) or None


def uses_zalo(kind: str, config) -> bool:
    """Whether a message of ``kind`` to a phone goes by Zalo ZNS."""
    return bool(config.get("ZALO_ZNS_URL") and template_for(kind, config))


def template_data(kind: str, facts: dict | None) -> dict[str, str]:
    """The ``template_data`` of a ZNS message: the facts its template has as parameters."""
    facts = facts or {}
    names = FIELDS + EXTRA_FIELDS.get(ZNS_KINDS.get(kind, ""), ())
    return {name: str(facts.get(name) or "") for name in names}


def zns_phone(phone: str) -> str:
    """A phone number as ZNS takes it: ``84912345678`` for ``0912 345 678`` or ``+84...``."""
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits
