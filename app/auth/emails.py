"""E-mail addresses as people type them: checked with email-validator, kept normalised.

The domain's mail servers are looked up (a DNS query) only when the setting
``EMAIL_CHECK_DELIVERABILITY`` is on (production); tests and development stay offline
and accept the reserved domain ``.test``.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context

from sessions.errors import N_, CoreError

EMAIL_MAX = 254


def clean_email(text: object, field: str = "email", *, max_length: int = EMAIL_MAX) -> str | None:
    """The address in lower case, or None when empty; CoreError ``invalid_email`` when it
    is not an address (or, with deliverability on, its domain receives no mail)."""
    if text is None:
        return None
    email = str(text).strip()
    if not email:
        return None
    deliverability = has_app_context() and bool(
        current_app.config.get("EMAIL_CHECK_DELIVERABILITY"))
    try:
        # Offline (tests, development) the reserved domain "test" of the demo accounts
        # (congdan1@demo.test) is an address like any other.
        checked = validate_email(email, check_deliverability=deliverability,
                                 test_environment=not deliverability, allow_smtputf8=False)
    except EmailNotValidError:
        raise CoreError("invalid_email", N_("Địa chỉ email không hợp lệ. Ví dụ đúng: "
                                            "ten@gmail.com"), field) from None
    normalized = checked.normalized.lower()
    if len(normalized) > max_length:
        raise CoreError("invalid_email", N_("Địa chỉ email không hợp lệ. Ví dụ đúng: "
                                            "ten@gmail.com"), field)
    return normalized
