"""Who may book: the identity a citizen's account must hold, and identity assurance.

The identity to book (Law on Citizen Reception Art 7.2.a; Decree 154 Arts 12, 21.4): a
full name and either an address or an ID paper number (CCCD / personal ID number, or a
passport number); a session that may be attended online (``online`` or ``hybrid``)
needs the name, the address AND an ID paper number. An identity verified through VNeID
counts as complete: the name and the ID number come from the national population
database, which also holds the residence. See :func:`identity_gaps`.

Identity assurance for online sessions: a unit may require that whoever books one of its
online sessions has had their identity verified through VNeID
(``Unit.requires_verified_identity``). In person, an officer checks the papers at the
reception point, so sessions held in person (or both ways) stay open to everyone."""

from __future__ import annotations

from sessions.errors import N_, CoreError

from ..schedules.models import SessionMode

#: Sessions a citizen may attend online: Decree 154 Art 21.4 asks for the name, the
#: address and an ID paper number of whoever takes part online.
ONLINE_ATTENDANCE = (SessionMode.ONLINE, SessionMode.HYBRID)


def has_verified_identity(citizen) -> bool:
    return (getattr(citizen, "identity_verified_at", None) is not None
            and bool(getattr(citizen, "cccd", None)))


def identity_gaps(citizen, mode: str | None) -> dict[str, CoreError]:
    """What ``citizen``'s account lacks to book a session held in ``mode`` (None: the
    mode is not known yet, the rule for sessions held in person), by field: ``full_name``,
    ``address``, ``cccd`` (a CCCD, personal ID number or passport number). Empty when
    the account may book."""
    if has_verified_identity(citizen):
        return {}
    gaps: dict[str, CoreError] = {}
    if not (getattr(citizen, "full_name", "") or "").strip():
        gaps["full_name"] = CoreError("identity_missing_name", N_(
            "Vui lòng bổ sung họ và tên tại trang Thông tin cá nhân (/profile)."), "full_name")
    has_address = bool((getattr(citizen, "address", "") or "").strip())
    has_papers = bool(getattr(citizen, "cccd", None) or getattr(citizen, "passport_number", None))
    online = mode in ONLINE_ATTENDANCE
    if not has_address and (online or not has_papers):
        gaps["address"] = CoreError("identity_missing_address", N_(
            "Vui lòng bổ sung địa chỉ nơi cư trú tại trang Thông tin cá nhân (/profile) hoặc "
            "ở bước “Thông tin nhận dạng” khi đăng ký trên trang web."), "address")
    if not has_papers and (online or not has_address):
        gaps["cccd"] = CoreError("identity_missing_papers", N_(
            "Vui lòng bổ sung số CCCD/số định danh cá nhân hoặc số hộ chiếu tại trang Thông tin "
            "cá nhân (/profile) hoặc ở bước “Thông tin nhận dạng” khi đăng ký trên trang web."),
            "cccd")
    return gaps


def check_booking_identity(citizen, reception) -> None:
    """422 ``validation_error`` naming the missing fields when ``citizen`` may not book
    ``reception`` with the identity their account holds (:func:`identity_gaps`)."""
    gaps = identity_gaps(citizen, reception.mode)
    if not gaps:
        return
    if reception.mode in ONLINE_ATTENDANCE:
        message = N_("Để đăng ký buổi tiếp trực tuyến, tài khoản cần có họ tên, địa chỉ và số "
                     "CCCD/số định danh cá nhân hoặc hộ chiếu. Vui lòng bổ sung tại trang Thông "
                     "tin cá nhân (/profile) rồi đăng ký lại.")
    else:
        message = N_("Để đăng ký tiếp công dân, tài khoản cần có họ tên và địa chỉ, hoặc số "
                     "CCCD/số định danh cá nhân hoặc hộ chiếu. Vui lòng bổ sung tại trang Thông "
                     "tin cá nhân (/profile) rồi đăng ký lại.")
    raise CoreError("validation_error", message, errors=gaps)


def check_verified_identity(citizen, reception) -> None:
    """Raise ``identity_required`` (403) when ``reception`` is an online session of a
    unit that requires a verified identity and ``citizen`` has none."""
    if reception.mode != SessionMode.ONLINE or not reception.unit.requires_verified_identity:
        return
    if getattr(citizen, "identity_verified_at", None) is not None:
        return
    raise CoreError(
        "identity_required",
        N_("Buổi tiếp trực tuyến của đơn vị này yêu cầu xác thực danh tính qua VNeID. Vui lòng "
           "đăng nhập bằng VNeID rồi đăng ký lại, hoặc chọn buổi tiếp trực tiếp: cán bộ sẽ "
           "kiểm tra giấy tờ tùy thân tại điểm tiếp công dân."), "session_id", status=403)
