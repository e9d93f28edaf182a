"""Optional second factor for staff: time-based one-time codes (RFC 6238) and recovery codes.

The shared secret is stored encrypted (Fernet, with a key derived from SECRET_KEY) and is
shown only while it is being enabled. A code is accepted at most once: the time step of
the last accepted code is kept and any code of that step or an earlier one is refused.
Recovery codes are stored as SHA-256 hashes and each works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app
from sqlalchemy import delete, select

from ..audit.services import record_event
from ..extensions import db
from ..timeutil import utcnow
from .models import RecoveryCode, User

STEP_SECONDS = 30
# One step either side absorbs clock drift between the server and the phone.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def eligible(user) -> bool:
    """TOTP is offered to staff: every role other than citizen."""
    return bool(getattr(user, "is_staff", False))


def _fernet():
    # On first use: cryptography's bindings are ~5 MB that a process holding the live
    # rooms never needs (only staff with two-step sign-in reach this).
    from cryptography.fernet import Fernet

    material = hashlib.sha256(b"totp-secret:" + current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(material.digest()))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    name = user.email or user.phone or f"user{user.id}"
    return pyotp.TOTP(secret).provisioning_uri(name=name,
                                               issuer_name=current_app.config["SITE_NAME"])


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data: URI (the CSP allows img data:)."""
    import segno  # on first use: only the page that sets up two-step sign-in draws one

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code is ``code`` (within the allowed drift), or None."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(user: User, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is a fresh TOTP code of ``user``; records its step when it is."""
    secret = decrypt_secret(user.totp_secret or "")
    if secret is None:
        return False
    step = matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; returns the new ones (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    cleaned = _clean(code)
    if len(cleaned) != 10:
        return False
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery(cleaned),
        RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = utcnow()
    record_event("totp_recovery_used", actor=user, target=f"user:{user.id}")
    return True


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def check_second_factor(user: User, code: str, *, where: str) -> bool:
    """A TOTP or recovery code at login. A wrong one is audited and counted."""
    from .services import register_failure

    if verify_code(user, code) or use_recovery_code(user, code):
        return True
    record_event("totp_failed", actor=user, target=f"user:{user.id}", where=where)
    register_failure(user, where=f"totp:{where}")
    return False


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn TOTP on when ``code`` matches ``secret``; returns the recovery codes, or None."""
    step = matching_step(secret, code)
    if step is None:
        record_event("totp_failed", actor=user, target=f"user:{user.id}", where="enable")
        return None
    user.totp_secret = encrypt_secret(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = new_recovery_codes(user)
    record_event("totp_enable", actor=user, target=f"user:{user.id}")
    return codes


def disable(user: User, *, actor) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event("totp_disable", actor=actor, target=f"user:{user.id}")
