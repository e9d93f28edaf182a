"""A password reset by a code, and the check of a phone number at registration
(CONTRACT §7).

Both send a 6-digit one-time code (app/auth/codes.py): by SMS to the account's phone,
by e-mail when it has none; never by Zalo (the messages are queued on their channel
with ``notify.services.queue_direct``, and their kinds are ``DIRECT_KINDS``). The
answer to a reset request never tells whether the account exists.

A registration whose phone was never confirmed does not hold its phone number or e-mail
for ever: once its code has expired, registering again with either releases it (the new
code goes to the same phone, so only the phone's holder can finish), and the retention
job releases those left waiting a day (:func:`release_unconfirmed`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from sessions.errors import N_, CoreError, invalid
from sessions.identity import normalize_phone

from ..audit.services import record_event
from ..extensions import db
from ..notify.models import Notification
from ..notify.services import queue_direct
from ..timeutil import utcnow
from . import codes
from .models import OneTimeCode, User
from .services import check_password_rules, find_user, register_citizen, set_password

RESET_KIND = "password_reset_code"
PHONE_KIND = "phone_check_code"
WRONG_CODE = N_("Mã xác nhận không đúng hoặc đã hết hạn.")
_LONGEST = {"username": 254, "code": 254, "password": 1000}


def _given(data: dict, *names: str) -> list[str]:
    """The text fields ``names`` of a request, or CoreError validation_error naming those
    missing, empty, not text or too long (this says nothing about any account)."""
    errors = {}
    for name in names:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > _LONGEST[name]:
            errors[name] = CoreError("required", N_("Vui lòng nhập trường này."), name)
    if errors:
        raise invalid(errors)
    return [data[name] for name in names]


def wrong_code() -> CoreError:
    """The refusal of a wrong or expired code (422 validation_error on ``code``)."""
    return invalid({"code": CoreError("wrong_code", WRONG_CODE, "code")})


def _send_code(user: User, kind: str, code: str) -> str:
    """Queue ``code`` to ``user``: by SMS to their phone, else by e-mail; the channel."""
    minutes = int(codes.LIFETIME.total_seconds() // 60)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if user.phone:
            # Plain ASCII: one GSM-7 segment on any carrier.
            text = (_("Ma dat lai mat khau: %(code)s. Hieu luc %(m)s phut. Khong dua ma nay "
                      "cho bat ky ai.", code=code, m=minutes) if kind == RESET_KIND else
                    _("Ma xac nhan so dien thoai: %(code)s. Hieu luc %(m)s phut. Khong dua ma "
                      "nay cho bat ky ai.", code=code, m=minutes))
            queue_direct(user, "sms", user.phone, kind, text, text)
            return "sms"
        subject = _("Mã đặt lại mật khẩu")
        body = "\n".join([
            _("Xin chào ông/bà %(name)s,", name=user.full_name), "",
            _("Mã đặt lại mật khẩu của ông/bà là: %(code)s", code=code),
            _("Mã có hiệu lực trong %(m)s phút. Không đưa mã này cho bất kỳ ai.", m=minutes),
            _("Nếu ông/bà không yêu cầu đặt lại mật khẩu, hãy bỏ qua thư này."), "",
            _("Ban tiếp công dân")])
        queue_direct(user, "email", user.email, kind, subject, body)
        return "email"


def request_password_reset(data: dict) -> None:
    """Send a reset code to the active account named ``data["username"]`` (e-mail or
    phone), if there is one. Whatever the username, the caller answers the same."""
    (username,) = _given(data, "username")
    user = find_user(username)
    if user is None or not user.is_active or not (user.phone or user.email):
        codes.new_code()  # about the same work as for an account
        record_event("password_reset_requested", target="", known=False)
        return
    channel = _send_code(user, RESET_KIND, codes.issue(user, codes.PASSWORD_RESET))
    record_event("password_reset_requested", actor=user, target=f"user:{user.id}",
                 known=True, channel=channel)


def confirm_password_reset(data: dict) -> CoreError | None:
    """Set ``data["password"]`` on the account named ``data["username"]`` if
    ``data["code"]`` is its live reset code; returns the refusal (422 validation_error),
    or None when done. Missing fields raise it.

    A weak password is refused before the code is looked at (no try used). A wrong
    code uses one of the code's tries: the caller commits the refusal too. Once reset,
    every session, remember-me cookie and API token of the person ends."""
    username, code, password = _given(data, "username", "code", "password")
    user = find_user(username)
    if user is not None and not user.is_active:
        user = None
    try:
        check_password_rules(password, phone=user.phone if user else None,
                             email=user.email if user else None)
    except CoreError as exc:
        return invalid({"password": exc})
    if not codes.check(user, codes.PASSWORD_RESET, code[:20]):
        return wrong_code()
    set_password(user, password, actor=user, via="code")
    return None


#: How long an unconfirmed registration waits after its code expired before the
#: retention job releases it.
UNCONFIRMED_KEPT = timedelta(days=1)


def _unconfirmed(expired_before: datetime):
    """Accounts waiting for their phone check whose code expired before ``expired_before``."""
    waiting = (select(OneTimeCode.user_id)
               .where(OneTimeCode.purpose == codes.PHONE_CHECK,
                      OneTimeCode.expires_at <= expired_before))
    return select(User).where(User.id.in_(waiting), User.is_active_account.is_(False),
                              User.phone_verified_at.is_(None),
                              User.deletion_requested_at.is_(None))


def _release(user: User) -> None:
    """Free the phone and e-mail of a registration never confirmed; nothing of it stays."""
    db.session.execute(delete(OneTimeCode).where(OneTimeCode.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id,
                                                  Notification.sent_at.is_(None)))
    db.session.execute(update(Notification).where(Notification.user_id == user.id)
                       .values(recipient="", subject="", body="", facts=None,
                               provider_answer=""))
    now = utcnow()
    user.phone = user.email = user.password_hash = user.cccd = None
    user.full_name, user.address = "(đăng ký chưa xác nhận)", ""
    user.deletion_requested_at = user.anonymised_at = now
    record_event("unconfirmed_registration_released", target=f"user:{user.id}")


def release_unconfirmed(now: datetime | None = None) -> int:
    """Release the registrations left unconfirmed a day after their code expired."""
    users = db.session.scalars(_unconfirmed((now or utcnow()) - UNCONFIRMED_KEPT)).all()
    for user in users:
        _release(user)
    return len(users)


def _release_clashing(data: dict) -> None:
    """Release unconfirmed registrations, their code expired, holding the phone or e-mail
    of ``data`` (checked as register_citizen checks them; a bad value is its to refuse)."""
    keys = []
    try:
        keys.append(User.phone == normalize_phone(data.get("phone") or ""))
    except (CoreError, TypeError, AttributeError):
        pass
    email = data.get("email")
    if isinstance(email, str) and email.strip():
        keys.append(User.email == email.strip().lower())
    if keys:
        for user in db.session.scalars(_unconfirmed(utcnow()).where(or_(*keys))).all():
            _release(user)
        db.session.flush()


def register_citizen_checked(data: dict) -> User:
    """Register a citizen (services.register_citizen). With PHONE_CHECK on, the account
    waits, inactive, for the code sent by SMS to its phone (:func:`confirm_phone`)."""
    if isinstance(data, dict):
        _release_clashing(data)
    user = register_citizen(data)
    if current_app.config.get("PHONE_CHECK") and user.phone:
        user.is_active_account = False
        _send_code(user, PHONE_KIND, codes.issue(user, codes.PHONE_CHECK))
        record_event("phone_check_sent", actor=user, target=f"user:{user.id}")
    return user


def awaiting_phone_check(username: str) -> User | None:
    """The account named ``username`` that waits for its phone check, or None."""
    user = find_user(username)
    if user is None or user.is_active or codes.pending(user, codes.PHONE_CHECK) is None:
        return None
    return user


def confirm_phone(data: dict) -> User | None:
    """Activate the account named ``data["username"]`` waiting for its phone check if
    ``data["code"]`` is right, its phone marked verified; None when not (a wrong code
    uses a try: the caller commits). Missing fields raise validation_error."""
    username, code = _given(data, "username", "code")
    user = awaiting_phone_check(username)
    if not codes.check(user, codes.PHONE_CHECK, code[:20]):
        return None
    user.is_active_account = True
    user.phone_verified_at = utcnow()
    record_event("phone_verified", actor=user, target=f"user:{user.id}")
    return user


def resend_phone_code(data: dict) -> None:
    """A new code for the account named ``data["username"]`` if it waits for its phone
    check (the previous code stops working); nothing for any other name."""
    (username,) = _given(data, "username")
    user = awaiting_phone_check(username)
    if user is not None:
        _send_code(user, PHONE_KIND, codes.issue(user, codes.PHONE_CHECK))
        record_event("phone_check_sent", actor=user, target=f"user:{user.id}", again=True)
