"""Loading a row by an id taken from a URL, safely.

Werkzeug's ``int`` converter accepts any number of digits, and PostgreSQL refuses
an integer beyond its 32-bit range with an error: such an id simply matches nothing.
"""

from __future__ import annotations

from ..extensions import db

MAX_ID = 2**31 - 1


def find(model, ident: int):
    """The row of ``model`` with primary key ``ident``, or None (also when out of range)."""
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)
