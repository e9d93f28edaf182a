"""Accounts: registration, password checks, API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, literal_column, or_, select, update
from sqlalchemy.orm import joinedload

from sessions.errors import N_, CoreError, invalid
from sessions.identity import (
    display_phone,
    normalize_phone,
    validate_cccd,
    validate_full_name,
    validate_passport,
    validate_password,
)

from ..audit.services import record_event
from ..extensions import db
from ..timeutil import utcnow
from . import throttle
from .emails import clean_email
from .models import ApiToken, RoleAssignment, User, WebLogin

_hasher = PasswordHasher()
# A hash of a random password, verified when the account does not exist so that
# timing does not reveal which usernames are registered.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(username: str) -> User | None:
    """A user by e-mail or phone number (any accepted phone form)."""
    username = (username or "").strip()
    if not username:
        return None
    phone = None
    try:
        phone = normalize_phone(username)
    except CoreError:
        pass
    clauses = [User.email == username.lower()]
    if phone:
        clauses.append(User.phone == phone)
    return db.session.scalar(select(User).where(or_(*clauses)))


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (a failure is audited).

    When the user has TOTP enabled the login is not complete: the caller checks the
    second factor and then calls :func:`complete_login`. Throttling by client address
    is the door's part (:func:`attempt_login`).
    """
    return _check_credentials(find_user(username), password)


def _check_credentials(user: User | None, password: str) -> User | None:
    if not check_password(user, password) or not user.is_active:
        if user is not None:
            register_failure(user, where="password")
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_enabled:
        # The second factor is still to come.
        return user
    complete_login(user)
    return user


class Throttled(Exception):
    """Too many failures for this account from this address: answer 429."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def attempt_login(username: str, password: str, *, address: str, code: str | None = None,
                  where: str) -> User | None:
    """One login attempt from the client ``address`` (CONTRACT §7; app/auth/throttle.py).

    Returns the user when the password is right (for an account with TOTP and no
    ``code``: the second step is still to come), None when it is wrong; a ``code``
    given for an account with TOTP is checked too and the login completed. Raises
    :class:`Throttled` when this address failed too often for this account, unless
    the account has TOTP and both the password and ``code`` are right: a guesser
    cannot keep a staff member out, and learns nothing from a throttled attempt.
    """
    from . import totp

    user = find_user(username)
    gate = throttle.LoginGate(throttle.account_key(user, username), address)
    wait = gate.wait()
    with_code = bool(code) and user is not None and user.totp_enabled
    if wait and not with_code:
        raise Throttled(wait)
    signed_in = _check_credentials(user, password)
    if signed_in is not None and with_code:
        if totp.check_second_factor(user, code, where=where):
            complete_login(user, second_factor="totp", via=where)
        else:
            signed_in = None
    if signed_in is None:
        gate.failed()
        if wait:
            raise Throttled(wait)
    return signed_in


def second_factor_failed(user: User, address: str) -> None:
    """A wrong code at the second step of a web login counts for this address too."""
    throttle.LoginGate(throttle.account_key(user, ""), address).failed()


def register_failure(user: User, *, where: str) -> None:
    """A wrong password or second factor for a known account: audited and counted in
    a row (shown to administrators). The account is never locked: throttling by
    client address slows guessing instead (app/auth/throttle.py)."""
    user.failed_logins += 1
    record_event("login_failed", target=f"user:{user.id}", where=where,
                 failures=user.failed_logins)


def complete_login(user: User, **detail) -> None:
    """Both factors passed: reset the failure count and audit the login."""
    user.failed_logins = 0
    user.locked_until = None
    record_event("login", actor=user, target=f"user:{user.id}", **detail)


def check_password_rules(password: str, *, phone: str | None = None,
                         email: str | None = None) -> str:
    """The password if it follows the rules, else CoreError.

    8-128 characters with a letter and a digit (so never all digits), and not the
    person's phone number or e-mail address (nor their part before the @).
    """
    validate_password(password)
    lowered = password.strip().lower()
    same = set()
    if phone:
        same |= {phone.lower(), phone.lstrip("+").lower()}
        try:
            same.add(display_phone(phone))
        except CoreError:
            pass
    if email:
        same |= {email.lower(), email.lower().partition("@")[0]}
    if lowered in same:
        raise CoreError("password_is_identifier",
                        N_("Mật khẩu không được trùng với số điện thoại hoặc email."),
                        "password")
    return password


def _collect(errors: dict, field: str, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except CoreError as exc:
        errors[field] = exc
        return None


def register_citizen(data: dict) -> User:
    """Create a citizen account; raises CoreError validation_error listing every invalid
    field (``errors``)."""
    errors: dict[str, CoreError] = {}
    for name in ("full_name", "phone", "email", "password", "cccd", "passport", "address"):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[name] = CoreError("invalid_type", N_("Trường này phải là một chuỗi ký tự."),
                                     name)
    if errors:
        raise invalid(errors)
    full_name = _collect(errors, "full_name", validate_full_name, data.get("full_name") or "")
    phone = _collect(errors, "phone", normalize_phone, data.get("phone") or "")
    email = _collect(errors, "email", clean_email, data.get("email"))
    _collect(errors, "password", check_password_rules, data.get("password") or "",
             phone=phone, email=email)
    cccd = (data.get("cccd") or "").strip() or None
    if cccd:
        cccd = _collect(errors, "cccd", validate_cccd, cccd)
    passport = (data.get("passport") or "").strip() or None
    if passport:
        passport = _collect(errors, "passport", validate_passport, passport)
    consents = data.get("consents") or {}
    if not isinstance(consents, dict) or consents.get("data_processing") is not True:
        errors["consents"] = CoreError(
            "consent_required",
            N_("Bạn cần đồng ý cho xử lý dữ liệu cá nhân để đăng ký tài khoản."), "consents")
    if errors:
        raise invalid(errors)
    clash = db.session.scalar(select(User.id).where(
        or_(User.phone == phone, User.email == email) if email else User.phone == phone))
    if clash:
        # Say only that the account cannot be created with these details.
        raise invalid({"phone": CoreError(
            "account_exists",
            N_("Số điện thoại hoặc email này đã được dùng cho một tài khoản khác."), "phone")})
    now = utcnow()
    recording = isinstance(consents, dict) and consents.get("recording") is True
    user = User(full_name=full_name, phone=phone, email=email, cccd=cccd,
                passport_number=passport, address=str(data.get("address") or "").strip()[:300],
                password_hash=hash_password(data["password"]), consent_data_at=now,
                consent_recording_at=now if recording else None)
    user.roles.append(RoleAssignment(role="citizen"))
    db.session.add(user)
    db.session.flush()
    record_event("register", actor=user, target=f"user:{user.id}")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, hours: int) -> str:
    """A new bearer token for ``user``, valid for ``hours``; earlier tokens stay valid."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token),
                            expires_at=utcnow() + timedelta(hours=hours)))
    db.session.flush()
    return token


@dataclass(frozen=True, slots=True)
class TokenCaller:
    """Who calls the API with a valid token, as one indexed query finds them: enough to
    check their role and choose their language. The person (a :class:`User`) loads
    only when a request needs it (:func:`user_for_caller`); in a booking rush most
    requests are refused before they do (docs/performance.md, fix 16)."""

    id: int
    locale: str | None
    role_names: frozenset[str]
    is_authenticated: ClassVar[bool] = True  # as Flask-Login's users, for the locale

    def has_role(self, *names: str) -> bool:
        return not self.role_names.isdisjoint(names)


def _valid_token(statement):
    """``statement`` limited to the active user of an unexpired, unrevoked token."""
    return (statement.join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"),
                   ApiToken.revoked_at.is_(None), ApiToken.expires_at > bindparam("now"),
                   User.is_active_account.is_(True)))


@functools.cache
def _caller_statement():
    """Built once; the token's hash and the time are bound parameters."""
    roles = func.aggregate_strings(RoleAssignment.role, literal_column("','"))
    return (_valid_token(select(User.id, User.locale, roles))
            .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
            .group_by(User.id, User.locale))


def caller_for_token(token: str) -> TokenCaller | None:
    """The caller holding this valid token, or None: one query, no person loaded."""
    row = db.session.execute(_caller_statement(), {"token_hash": _token_hash(token),
                                                   "now": utcnow()}).one_or_none()
    if row is None:
        return None
    user_id, locale, roles = row
    return TokenCaller(user_id, locale, frozenset(filter(None, (roles or "").split(","))))


def _with_roles(statement):
    """The user and their roles in one statement. The roles' units and agencies (joined
    by default) load when a check reads them: most callers are citizens, whose role
    has neither, and two more joins per request showed in the booking rush."""
    roles = joinedload(User.roles)
    return statement.options(roles, roles.lazyload(RoleAssignment.unit),
                             roles.lazyload(RoleAssignment.agency))


@functools.cache
def _token_statement():
    """Built once, the token's hash and the time bound parameters: with its loader
    options, building the statement cost more than running it (0.45 of 1.8 ms per API
    request on PostgreSQL, docs/performance.md)."""
    return _with_roles(_valid_token(select(User)))


@functools.cache
def _user_statement():
    return _with_roles(select(User).where(User.id == bindparam("user_id")))


def user_for_caller(caller: TokenCaller) -> User | None:
    """The person behind ``caller``, with their roles (None if removed meanwhile)."""
    return db.session.scalars(_user_statement(), {"user_id": caller.id}).unique().one_or_none()


@functools.cache
def _user_id_statement():
    return _valid_token(select(User.id))


def user_for_token(token: str) -> User | None:
    """The active user holding this valid (unexpired, unrevoked) token, or None."""
    return db.session.scalars(_token_statement(), {"token_hash": _token_hash(token),
                                                   "now": utcnow()}).unique().one_or_none()


def user_id_for_token(token: str) -> int | None:
    """The id of the active user holding this valid token, or None: one indexed query
    without loading the person (the live room's connect storm asks it a thousand times)."""
    return db.session.scalar(_user_id_statement(),
                             {"token_hash": _token_hash(token), "now": utcnow()})


def revoke_token(token: str) -> bool:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def token_alive(token: str) -> bool:
    """Whether ``token`` still signs its active person in (not revoked nor expired)."""
    return user_id_for_token(token) is not None


def start_web_login(user: User) -> WebLogin:
    """A new sign-in on the web, to be named in the browser's session (the caller
    commits)."""
    login = WebLogin(user_id=user.id)
    db.session.add(login)
    db.session.flush()
    return login


def end_web_login(login_id: int) -> None:
    """Logging out: this sign-in (its session and remember-me cookie, and any copy of
    them) stops working."""
    db.session.execute(update(WebLogin).where(WebLogin.id == login_id,
                                              WebLogin.ended_at.is_(None))
                       .values(ended_at=utcnow()))


@functools.cache
def _web_login_statement():
    return (select(User).join(WebLogin, WebLogin.user_id == User.id)
            .where(User.id == bindparam("user_id"),
                   User.session_version == bindparam("version"),
                   WebLogin.id == bindparam("login_id"), WebLogin.ended_at.is_(None),
                   User.is_active_account.is_(True)))


def user_for_web_login(user_id: int, version: int, login_id: int) -> User | None:
    """The active person of a web sign-in that has not ended, or None: one query."""
    return db.session.scalar(_web_login_statement(), {"user_id": user_id, "version": version,
                                                      "login_id": login_id})


def end_other_sessions(user: User, *, keep_login: int | None = None,
                       keep_token: str | None = None, actor: User | None = None) -> None:
    """End every web session, remember-me cookie and API token of ``user`` but the web
    sign-in ``keep_login`` and the token ``keep_token`` (CONTRACT §7: a password change
    or reset, "log out everywhere"). The session version rises, so a cookie signed
    before stops working on every process at its next request; the caller commits and,
    to stay signed in, names the new version in its own session
    (app/auth/websessions.py ``keep_signed_in``)."""
    now = utcnow()
    user.session_version = (user.session_version or 0) + 1
    logins = update(WebLogin).where(WebLogin.user_id == user.id, WebLogin.ended_at.is_(None))
    if keep_login is not None:
        logins = logins.where(WebLogin.id != keep_login)
    db.session.execute(logins.values(ended_at=now))
    tokens = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep_token is not None:
        tokens = tokens.where(ApiToken.token_hash != _token_hash(keep_token))
    db.session.execute(tokens.values(revoked_at=now))
    record_event("sessions_ended", actor=actor or user, target=f"user:{user.id}",
                 kept=keep_login is not None or keep_token is not None)


def new_calendar_token(user: User) -> str:
    """A new secret for the personal calendar feed; the previous one stops working."""
    token = secrets.token_urlsafe(24)
    user.calendar_token_hash = _token_hash(token)
    return token


def user_for_calendar_token(token: str) -> User | None:
    if not token:
        return None
    return db.session.scalar(select(User).where(User.calendar_token_hash == _token_hash(token)))


def update_profile(user: User, data: dict) -> None:
    """Change the editable parts of one's own profile (a refusal is a CoreError)."""
    name = validate_full_name(data.get("full_name") or user.full_name)
    email = clean_email(data.get("email"))
    if email and email != user.email and db.session.scalar(
            select(User.id).where(User.email == email)):
        raise CoreError("email_taken", N_("Email này đã được dùng cho một tài khoản khác."),
                        "email")
    # A blank CCCD or passport field keeps the stored number (the page never shows it
    # whole).
    papers = _identity_papers(user, data, keep_blank=True)
    user.full_name, user.email = name, email
    user.address = str(data.get("address") or "").strip()[:300]
    user.cccd, user.passport_number = papers
    record_event("profile_update", actor=user, target=f"user:{user.id}")


ADDRESS_MAX = 300


def _identity_papers(user: User, data: dict, *, keep_blank: bool = False
                     ) -> tuple[str | None, str | None]:
    """The (CCCD, passport number) ``data`` gives, checked; a 422 lists every invalid
    one. A CCCD verified through VNeID never changes. Blank or absent: the number the
    account already has with ``keep_blank``, else none. Nothing is looked up: whether a
    number is another account's is never told (DOMAIN.md, Validation)."""
    errors: dict[str, CoreError] = {}
    values = {}
    for name, stored, check in (("cccd", user.cccd, validate_cccd),
                                ("passport", user.passport_number, validate_passport)):
        raw = data.get(name)
        if raw is not None and not isinstance(raw, str):
            errors[name] = CoreError("invalid_type", N_("Trường này phải là một chuỗi ký tự."),
                                     name)
            continue
        text = (raw or "").strip()
        values[name] = _collect(errors, name, check, text) if text else (
            stored if keep_blank or name not in data else None)
    if user.identity_verified_at is not None and user.cccd:
        values["cccd"] = user.cccd  # vouched for by VNeID
    if errors:
        raise invalid(errors)
    return values["cccd"], values["passport"]


def complete_identity(user: User, data: dict) -> None:
    """Add what the account lacks of the identity needed to book (app/bookings/
    assurance.py): ``address``, ``cccd``, ``passport``. A blank field keeps what the
    account has; a 422 lists every invalid field."""
    errors: dict[str, CoreError] = {}
    address = data.get("address")
    if address is not None and not isinstance(address, str):
        errors["address"] = CoreError("invalid_type", N_("Trường này phải là một chuỗi ký tự."),
                                      "address")
    elif len((address or "").strip()) > ADDRESS_MAX:
        errors["address"] = CoreError("invalid_address", N_(
            "Địa chỉ không được dài quá {max} ký tự."), "address", max=ADDRESS_MAX)
    try:
        papers = _identity_papers(user, data, keep_blank=True)
    except CoreError as exc:
        errors.update(exc.errors)
    if errors:
        raise invalid(errors)
    if (address or "").strip():
        user.address = address.strip()
    user.cccd, user.passport_number = papers
    record_event("profile_update", actor=user, target=f"user:{user.id}", via="booking")


def change_password(user: User, current: str, new: str, *,
                    keep_login: int | None = None) -> None:
    """Change one's password (a refusal is a CoreError). Every other session,
    remember-me cookie and token of the person ends; the web sign-in ``keep_login``
    (the one doing the change) stays."""
    if not check_password(user, current):
        raise CoreError("wrong_password", N_("Mật khẩu hiện tại không đúng."), "current")
    check_password_rules(new, phone=user.phone, email=user.email)
    if check_password(user, new):
        raise CoreError("password_unchanged",
                        N_("Mật khẩu mới phải khác mật khẩu hiện tại."), "new")
    user.password_hash = hash_password(new)
    record_event("password_change", actor=user, target=f"user:{user.id}")
    end_other_sessions(user, keep_login=keep_login)


def set_password(user: User, new: str, *, actor, **detail) -> None:
    """A new password for someone, set by an administrator (a reset on request) or by
    the person with a reset code (``detail`` goes into the audit event): every session,
    cookie and token of that person ends."""
    check_password_rules(new, phone=user.phone, email=user.email)
    user.password_hash = hash_password(new)
    user.failed_logins, user.locked_until = 0, None
    record_event("password_reset", actor=actor, target=f"user:{user.id}", **detail)
    end_other_sessions(user, actor=actor)
