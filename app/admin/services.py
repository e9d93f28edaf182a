"""Administrators' actions: units, people and their roles, agencies, invitations, the outbox.

Every function takes the acting administrator, checks what the database cannot,
flushes and records an audit event; the caller commits. Invalid input raises
:class:`~sessions.errors.CoreError` whose ``field`` names the form field at fault.
"""

from __future__ import annotations

import re

from sqlalchemy import select, update

from sessions.errors import N_, CoreError
from sessions.identity import validate_full_name

from ..audit.services import record_event
from ..auth import totp
from ..auth.emails import clean_email
from ..auth.models import ROLES, STAFF_ROLES, ApiToken, RoleAssignment, User
from ..auth.services import check_password_rules, hash_password, set_password
from ..extensions import db
from ..notify.models import Notification
from ..timeutil import utcnow
from ..units.models import LEVELS, Agency, Unit
from ..units.services import import_units, unit_by_code
from . import invitations

UNSCOPED_ROLES = ("citizen", "admin")
_AGENCY_CODE = re.compile(r"[A-Z0-9_.-]{1,20}")


# -- units -------------------------------------------------------------------------------

def update_unit(unit: Unit, data: dict, *, actor) -> Unit:
    """Change a unit's name, level, parent, active flag, auto-acceptance and queue rule.

    ``priority_jump``: None puts priority citizens before every on-time citizen,
    0 gives no priority, N moves them forward at most N places.
    """
    name = _clean(data.get("name"))
    if not 1 <= len(name) <= 200:
        raise CoreError("invalid_name", N_("Vui lòng nhập tên đơn vị (tối đa 200 ký tự)."),
                        "name")
    if data.get("level") not in LEVELS:
        raise CoreError("invalid_level", N_("Cấp đơn vị không hợp lệ."), "level")
    parent = _parent_for(unit, _clean(data.get("parent_code")))
    jump = data.get("priority_jump")
    if jump is not None and (not isinstance(jump, int) or not 0 <= jump <= 1000):
        raise CoreError("invalid_priority_jump",
                        N_("Số vị trí được ưu tiên phải là số nguyên từ 0 đến 1000."),
                        "priority_jump")
    values = {"name": name, "level": data["level"], "parent_id": parent.id if parent else None,
              "is_active": bool(data.get("is_active")),
              "auto_accept": bool(data.get("auto_accept")), "priority_jump": jump,
              "requires_verified_identity": bool(data.get("requires_verified_identity"))}
    changes = _apply(unit, values)
    unit.parent = parent
    db.session.flush()
    record_event("update_unit", actor=actor, target=f"unit:{unit.code}", changes=changes)
    return unit


def _parent_for(unit: Unit, code: str) -> Unit | None:
    if not code:
        return None
    parent = unit_by_code(code)
    if parent is None:
        raise CoreError("unknown_unit", N_("Không có đơn vị mã {value}."), "parent_code",
                        value=code)
    if unit.id in parent.ancestor_ids():
        raise CoreError("parent_cycle", N_("Đơn vị cấp trên không thể là chính đơn vị này "
                                           "hoặc một đơn vị cấp dưới của nó."), "parent_code")
    return parent


def import_units_from_package(province_codes: list[str], *, actor) -> int:
    """Import the 34 provinces, and the communes of ``province_codes``, from vietnam-provinces.

    Existing units keep their settings. Returns the number of units created.
    """
    from vietnam_provinces import Province

    known = {f"{int(p.code):02d}" for p in Province.iter_all()}
    unknown = [code for code in province_codes if code not in known]
    if unknown:
        raise CoreError("unknown_province", N_("Không có tỉnh, thành phố mã {codes}."),
                        "provinces", codes=", ".join(unknown))
    created = import_units(list(province_codes) or None)
    record_event("import_units", actor=actor, target="units", created=created,
                 provinces=list(province_codes))
    return created


# -- roles -------------------------------------------------------------------------------

def resolve_role(data: dict) -> dict:
    """Check a role with its scope; returns {"role","unit","agency","deputy_of"}.

    ``data``: ``role``, ``unit_code``, ``agency_code`` (officers), ``deputy_of`` (the id
    of a host of the same unit whom a deputy may stand in for; empty = any of them).
    """
    role = data.get("role")
    if role not in ROLES:
        raise CoreError("invalid_role", N_("Vai trò không hợp lệ."), "role")
    if role == "operator":  # it works one point: given on that point's page
        raise CoreError("operator_on_point_page", N_(
            "Cán bộ điểm cầu được giao tại trang của điểm cầu (Đơn vị → Điểm cầu)."), "role")
    if role in UNSCOPED_ROLES:
        return {"role": role, "unit": None, "agency": None, "deputy_of": None}
    unit_code = _clean(data.get("unit_code"))
    unit = unit_by_code(unit_code)
    if unit is None:
        raise (CoreError("unknown_unit", N_("Không có đơn vị mã {value}."), "unit_code",
                         value=unit_code) if unit_code else
               CoreError("unit_required", N_("Vai trò này cần chọn đơn vị."), "unit_code"))
    agency = _agency_for(role, unit, _clean(data.get("agency_code")).upper())
    deputy_of = _host_for(role, unit, data.get("deputy_of"))
    return {"role": role, "unit": unit, "agency": agency, "deputy_of": deputy_of}


def _agency_for(role: str, unit: Unit, code: str) -> Agency | None:
    if role != "officer":
        return None
    if not code:
        raise CoreError("agency_required", N_("Cán bộ cơ quan chuyên môn cần chọn cơ quan."),
                        "agency_code")
    agency = db.session.scalar(select(Agency).where(Agency.unit_id == unit.id,
                                                    Agency.code == code))
    if agency is None:
        raise CoreError("unknown_agency", N_("Đơn vị {unit} không có cơ quan mã {value}."),
                        "agency_code", unit=unit.name, value=code)
    return agency


def _host_for(role: str, unit: Unit, host_id) -> User | None:
    if role != "deputy" or not host_id:
        return None
    host = db.session.get(User, host_id) if isinstance(host_id, int) else None
    if host is None or not any(r.role == "host" and r.unit_id == unit.id for r in host.roles):
        raise CoreError("invalid_deputy_of", N_("Người được chủ trì thay phải là Chủ tịch "
                                                "(chủ trì tiếp) của cùng đơn vị."), "deputy_of")
    return host


def grant_role(user: User, data: dict, *, actor) -> RoleAssignment:
    """Give ``user`` a role scoped to a unit (and agency / host); see :func:`resolve_role`."""
    scope = resolve_role(data)
    if scope["deputy_of"] is not None and scope["deputy_of"].id == user.id:
        raise CoreError("invalid_deputy_of", N_("Một người không thể chủ trì thay chính mình."),
                        "deputy_of")
    ids = _scope_ids(scope)
    if any(_scope_ids_of(r) == ids for r in user.roles):
        raise CoreError("role_exists", N_("Người này đã có vai trò này ở đơn vị này."), "role")
    assignment = RoleAssignment(role=scope["role"], unit=scope["unit"], agency=scope["agency"],
                                deputy_of=scope["deputy_of"])
    user.roles.append(assignment)
    db.session.flush()
    record_event("grant_role", actor=actor, target=f"user:{user.id}", **_describe(assignment))
    return assignment


def _scope_ids(scope: dict) -> tuple:
    return (scope["role"],) + tuple(getattr(scope[k], "id", None)
                                    for k in ("unit", "agency", "deputy_of"))


def _scope_ids_of(role: RoleAssignment) -> tuple:
    return role.role, role.unit_id, role.agency_id, role.deputy_of_id


def _describe(role: RoleAssignment) -> dict:
    return {"role": role.role, "unit": role.unit.code if role.unit else None,
            "agency": role.agency.code if role.agency else None,
            "deputy_of": role.deputy_of_id}


def revoke_role(assignment: RoleAssignment, *, actor) -> None:
    """Remove a role; the last administrator's admin role is never removed."""
    user = assignment.user
    if assignment.role == "admin" and user.is_active_account and \
            sum(r.role == "admin" for r in user.roles) == 1:
        _refuse_if_last_admin(user)
    detail = _describe(assignment)
    user.roles.remove(assignment)
    db.session.flush()
    record_event("revoke_role", actor=actor, target=f"user:{user.id}", **detail)


def active_admin_ids() -> set[int]:
    """Ids of the active accounts holding the admin role."""
    query = (select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id)
             .where(RoleAssignment.role == "admin", User.is_active_account.is_(True)))
    return set(db.session.scalars(query))


def _refuse_if_last_admin(user: User) -> None:
    if active_admin_ids() <= {user.id}:
        raise CoreError("last_admin", N_("Không thể thực hiện: đây là quản trị viên cuối cùng "
                                         "của hệ thống. Hãy cấp quyền quản trị cho người khác "
                                         "trước."))


# -- people ------------------------------------------------------------------------------

def update_person(user: User, data: dict, *, actor) -> User:
    """Change a person's full name and title (chức danh)."""
    name = validate_full_name(data.get("full_name") or "")
    title = _clean(data.get("title"))
    if len(title) > 200:
        raise CoreError("invalid_title", N_("Chức danh tối đa 200 ký tự."), "title")
    changes = _apply(user, {"full_name": name, "title": title})
    db.session.flush()
    record_event("update_user", actor=actor, target=f"user:{user.id}", changes=changes)
    return user


def deactivate_user(user: User, *, actor) -> None:
    """Close an account: no login, no API token; the person's records stay."""
    if user.id == getattr(actor, "id", None):
        raise CoreError("self_deactivation", N_("Bạn không thể tự khóa tài khoản của mình."))
    if user.has_role("admin"):
        _refuse_if_last_admin(user)
    user.is_active_account = False
    # Tokens are revoked so that a later reactivation does not revive them.
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    record_event("deactivate_user", actor=actor, target=f"user:{user.id}")


def reactivate_user(user: User, *, actor) -> None:
    """Open a closed account again."""
    user.is_active_account = True
    db.session.flush()
    record_event("reactivate_user", actor=actor, target=f"user:{user.id}")


def reset_password(user: User, temporary: str, *, actor) -> None:
    """Set a temporary password given to the person by the administrator (also unlocks)."""
    set_password(user, temporary, actor=actor)  # validates and records password_reset
    db.session.flush()


def unlock_user(user: User, *, actor) -> None:
    """Lift a lock after too many wrong passwords."""
    user.failed_logins, user.locked_until = 0, None
    db.session.flush()
    record_event("unlock_user", actor=actor, target=f"user:{user.id}")


def reset_totp(user: User, *, actor) -> None:
    """Turn off two-step verification of someone who lost their phone and recovery codes
    (the administrator checks who is asking); they sign in with the password again."""
    if user.totp_enabled_at is None:
        raise CoreError("totp_not_enabled", N_("Tài khoản này chưa bật xác thực hai bước."))
    totp.disable(user, actor=actor)
    db.session.flush()


# -- invitations -------------------------------------------------------------------------

def invite_staff(data: dict, *, actor) -> User:
    """Create a staff account without password and e-mail it an invitation link.

    ``data``: ``full_name``, ``email``, ``title``, ``role`` (a staff role), ``unit_code``,
    ``agency_code``. The link (valid 7 days) lets the person set a password.
    """
    name = validate_full_name(data.get("full_name") or "")
    email = clean_email(_clean(data.get("email")))
    if email is None:
        raise CoreError("invalid_email", N_("Địa chỉ email không hợp lệ."), "email")
    if data.get("role") not in STAFF_ROLES:
        raise CoreError("invalid_role", N_("Vai trò không hợp lệ."), "role")
    resolve_role(data)  # refuse a bad scope before anything is written
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise CoreError("email_taken", N_("Email này đã có tài khoản. Hãy mở trang của người "
                                          "đó để cấp thêm vai trò."), "email")
    user = User(full_name=name, email=email, title=_clean(data.get("title"))[:200],
                password_hash=None)
    db.session.add(user)
    db.session.flush()
    grant_role(user, data, actor=actor)
    invitations.send_invitation(user)
    record_event("invite_staff", actor=actor, target=f"user:{user.id}", role=data["role"])
    return user


def resend_invitation(user: User, *, actor) -> None:
    """Send a new invitation link to someone who has not set a password yet."""
    if user.password_hash or not user.email:
        raise CoreError("invite_not_needed", N_("Người này đã đặt mật khẩu hoặc không có "
                                                "email; không cần gửi lời mời."))
    invitations.send_invitation(user)
    record_event("resend_invitation", actor=actor, target=f"user:{user.id}")


def accept_invitation(token: str, password: str) -> User:
    """Set the password of the invited person; the link then stops working."""
    user = invitations.invited_user(token)
    user.password_hash = hash_password(check_password_rules(password, phone=user.phone,
                                                            email=user.email))
    db.session.flush()
    record_event("accept_invitation", actor=user, target=f"user:{user.id}")
    return user


# -- agencies ----------------------------------------------------------------------------

def create_agency(unit: Unit, data: dict, *, actor) -> Agency:
    """Add a specialised agency to ``unit``; its code is unique within the unit."""
    values = _agency_values(unit, data, None)
    agency = Agency(unit_id=unit.id, **values)
    db.session.add(agency)
    db.session.flush()
    record_event("create_agency", actor=actor, target=f"agency:{agency.id}",
                 unit=unit.code, code=agency.code)
    return agency


def update_agency(agency: Agency, data: dict, *, actor) -> Agency:
    """Change an agency's code, name, e-mail and active flag."""
    changes = _apply(agency, _agency_values(agency.unit, data, agency))
    db.session.flush()
    record_event("update_agency", actor=actor, target=f"agency:{agency.id}", changes=changes)
    return agency


def _agency_values(unit: Unit, data: dict, current: Agency | None) -> dict:
    code = _clean(data.get("code")).upper()
    if not _AGENCY_CODE.fullmatch(code):
        raise CoreError("invalid_agency_code", N_("Mã cơ quan gồm 1–20 chữ cái không dấu, "
                                                  "chữ số hoặc dấu gạch."), "code")
    clash = db.session.scalar(select(Agency.id).where(Agency.unit_id == unit.id,
                                                      Agency.code == code))
    if clash and (current is None or clash != current.id):
        raise CoreError("agency_code_taken", N_("Mã cơ quan {value} đã có trong đơn vị này."),
                        "code", value=code)
    name = _clean(data.get("name"))
    if not 1 <= len(name) <= 200:
        raise CoreError("invalid_name", N_("Vui lòng nhập tên cơ quan (tối đa 200 ký tự)."),
                        "name")
    email = clean_email(_clean(data.get("email")), max_length=200)
    return {"code": code, "name": name, "email": email,
            "is_active": bool(data.get("is_active", True))}


# -- outbox ------------------------------------------------------------------------------

def retry_notification(notification: Notification, *, actor) -> None:
    """Send an unsent notification at the next dispatch; a failed one gets fresh attempts."""
    if notification.sent_at is not None:
        raise CoreError("already_sent", N_("Thông báo này đã được gửi."))
    if notification.failed_at is not None:
        notification.attempts = 0
    notification.failed_at = None
    notification.send_after = utcnow()
    db.session.flush()
    record_event("retry_notification", actor=actor, target=f"notification:{notification.id}")


# -- helpers -----------------------------------------------------------------------------

def _clean(value) -> str:
    return " ".join(str(value or "").split())


def _apply(obj, values: dict) -> dict:
    """Set attributes; returns {name: [old, new]} for those that changed (for the audit)."""
    changes = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            changes[key] = [old, value]
            setattr(obj, key, value)
    return changes

