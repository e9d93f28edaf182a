"""Accounts of people who sign in with VNeID (CONTRACT §7, docs/vneid.md).

The provider vouches for a name and a 12-digit ID number (CCCD). The first sign-in
creates a citizen account marked as verified; later ones enter the account the
provider knows by its ``sub``. A number that already belongs to an account with a
password is linked only once its owner signs in with that password
(:func:`link_account`): a VNeID sign-in never takes over an existing account by
itself. Staff accounts are never created nor entered this way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from sessions.errors import N_, CoreError
from sessions.identity import normalize_phone, validate_cccd, validate_full_name

from ..audit.services import record_event
from ..extensions import db
from ..timeutil import utcnow
from .models import RoleAssignment, User
from .services import complete_login

PROVIDER = "vneid"


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    issuer: str
    subject: str
    id_number: str
    full_name: str
    phone: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> Identity | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{k: data[k] for k in ("issuer", "subject", "id_number", "full_name",
                                               "phone")})
        except (KeyError, TypeError):
            return None


def _claims_refused() -> CoreError:
    return CoreError("oidc_claims",
                     N_("VNeID không cung cấp đủ họ tên và số định danh cá nhân hợp lệ (12 chữ "
                        "số) nên chưa thể đăng nhập."), status=422)


def identity_from_claims(claims: dict, issuer: str, *, id_claim: str, name_claim: str,
                         phone_claim: str) -> Identity:
    """The identity in the verified ``claims``: the ID number is checked as a CCCD
    number and the name as a full name; a phone number is kept only when valid."""
    subject = claims.get("sub")
    number, name = claims.get(id_claim), claims.get(name_claim)
    if not (isinstance(subject, str) and subject and isinstance(number, str | int)
            and isinstance(name, str)):
        raise _claims_refused()
    try:
        number = validate_cccd(str(number))
        name = validate_full_name(name)
    except CoreError:
        raise _claims_refused() from None
    phone = None
    if isinstance(claims.get(phone_claim), str):
        try:
            phone = normalize_phone(claims[phone_claim])
        except CoreError:
            phone = None
    return Identity(issuer, subject[:255], number, name, phone)


def _staff_refused() -> CoreError:
    return CoreError("oidc_staff",
                     N_("Tài khoản cán bộ không đăng nhập bằng VNeID. Vui lòng đăng nhập bằng "
                        "tài khoản và mật khẩu được cấp."), status=403)


def _mismatch() -> CoreError:
    return CoreError("oidc_mismatch",
                     N_("Số định danh từ VNeID không khớp với tài khoản đã liên kết. Vui lòng "
                        "liên hệ bộ phận tiếp công dân để được hỗ trợ."), status=409)


def link_required() -> CoreError:
    return CoreError("oidc_link_required",
                     N_("Số định danh này đã có tài khoản. Vui lòng đăng nhập bằng mật khẩu một "
                        "lần để liên kết tài khoản với VNeID; sau đó bạn có thể đăng nhập bằng "
                        "VNeID."), status=409)


def _check_may_enter(user: User) -> None:
    if user.is_staff:
        raise _staff_refused()
    if not user.is_active:
        raise CoreError("oidc_inactive",
                        N_("Tài khoản này đã bị khóa hoặc đã đóng."), status=403)


def _mark_verified(user: User, identity: Identity) -> None:
    user.identity_verified_via = PROVIDER
    user.identity_verified_at = utcnow()
    user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
    user.full_name, user.cccd = identity.full_name, identity.id_number


def sign_in_with_vneid(identity: Identity) -> User:
    """The citizen account this VNeID identity enters, created at the first sign-in.

    Raises ``oidc_link_required`` when the ID number belongs to an account with a
    password not yet linked, ``oidc_staff`` for a staff account, ``oidc_mismatch``
    when the provider's account and the ID number point at different accounts."""
    user = db.session.scalar(select(User).where(User.oidc_issuer == identity.issuer,
                                                User.oidc_subject == identity.subject))
    if user is not None:
        _check_may_enter(user)
        if user.cccd != identity.id_number:
            raise _mismatch()
        _mark_verified(user, identity)
        complete_login(user, via=PROVIDER)
        return user
    holders = db.session.scalars(select(User).where(User.cccd == identity.id_number)).all()
    if any(holder.is_staff for holder in holders):
        raise _staff_refused()
    if any(holder.oidc_subject for holder in holders):
        raise _mismatch()
    if holders:
        raise link_required()
    return _create_citizen(identity)


def _create_citizen(identity: Identity) -> User:
    phone = identity.phone
    if phone and db.session.scalar(select(User.id).where(User.phone == phone)):
        phone = None  # that number is someone else's login
    now = utcnow()
    user = User(full_name=identity.full_name, phone=phone, consent_data_at=now)
    _mark_verified(user, identity)
    user.roles.append(RoleAssignment(role="citizen"))
    db.session.add(user)
    db.session.flush()
    record_event("register", actor=user, target=f"user:{user.id}", via=PROVIDER)
    complete_login(user, via=PROVIDER)
    return user


def link_account(user: User, identity: Identity) -> bool:
    """After ``user`` signed in with their password: link them to the VNeID identity
    that asked for it, if the ID numbers agree (else nothing changes). Whether linked."""
    if user.is_staff or user.oidc_subject or user.cccd != identity.id_number:
        return False
    if db.session.scalar(select(User.id).where(User.oidc_issuer == identity.issuer,
                                               User.oidc_subject == identity.subject)):
        return False
    _mark_verified(user, identity)
    record_event("vneid_link", actor=user, target=f"user:{user.id}")
    return True
