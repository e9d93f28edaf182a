"""One-time codes sent by SMS or e-mail: a password reset, the check of a phone number.

A code is 6 random digits (``secrets``). Only its HMAC-SHA256 keyed with SECRET_KEY is
stored, with the person and the purpose, so that a copy of the database alone does not
give the codes away (a million candidates are tried in a moment against a plain hash).
A code lasts ``LIFETIME`` and allows ``MAX_TRIES`` tries; a new code for the same
person and purpose replaces the previous one. Each try is counted by one conditional
UPDATE before the code is compared, so two requests at once cannot both take the last
try.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from ..extensions import db
from ..timeutil import utcnow
from .models import OneTimeCode, User

LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
DIGITS = 6
PASSWORD_RESET = "password_reset"
PHONE_CHECK = "phone_check"


def _digest(user_id: int, purpose: str, code: str) -> str:
    key = ("one-time-code:" + current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"


def issue(user: User, purpose: str) -> str:
    """A new code for ``user`` and ``purpose`` (the previous one stops working); only its
    HMAC is written. Returns the code, to be sent and forgotten."""
    code = new_code()
    db.session.execute(delete(OneTimeCode).where(OneTimeCode.user_id == user.id,
                                                 OneTimeCode.purpose == purpose))
    db.session.add(OneTimeCode(user_id=user.id, purpose=purpose,
                               code_hash=_digest(user.id, purpose, code),
                               expires_at=utcnow() + LIFETIME))
    db.session.flush()
    return code


def pending(user: User, purpose: str) -> OneTimeCode | None:
    """The code waiting for ``user`` and ``purpose`` (expired or not), or None."""
    return db.session.scalar(select(OneTimeCode).where(OneTimeCode.user_id == user.id,
                                                       OneTimeCode.purpose == purpose))


def _take_try(row_id: int) -> bool:
    """Count one try at an unexpired code that has tries left; False when none is left."""
    result = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row_id, OneTimeCode.attempts < MAX_TRIES,
               OneTimeCode.expires_at > utcnow())
        .values(attempts=OneTimeCode.attempts + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def check(user: User | None, purpose: str, code: str) -> bool:
    """Whether ``code`` is the live code of ``user`` for ``purpose``. A right code is used
    up; a wrong one uses one of its tries (the caller commits either way)."""
    code = (code or "").strip() if isinstance(code, str) else ""
    if user is None:
        _digest(0, purpose, code)  # the same work as for an account
        return False
    row = pending(user, purpose)
    if row is None or not _take_try(row.id):
        return False
    if not hmac.compare_digest(row.code_hash, _digest(user.id, purpose, code)):
        return False
    db.session.execute(delete(OneTimeCode).where(OneTimeCode.id == row.id))
    return True
