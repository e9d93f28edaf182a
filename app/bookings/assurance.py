"""Identity assurance for online sessions: a unit may require that whoever books one
of its online sessions has had their identity verified through VNeID
(``Unit.requires_verified_identity``). In person, an officer checks the papers at the
reception point, so sessions held in person (or both ways) stay open to everyone."""

from __future__ import annotations

from sessions.errors import N_, CoreError

from ..schedules.models import SessionMode


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
