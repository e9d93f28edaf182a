"""Words for the audit log page: a label per action code and per detail key, and the
detail of an event as labelled pairs (a definition list), not raw JSON.

An action or key missing here is shown as its code: a new event is never hidden.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..timeutil import to_local

ACTION_LABELS = {
    "accept_invitation": _l("Nhận lời mời làm cán bộ"),
    "attachment_add": _l("Thêm tệp đính kèm"),
    "audit_export": _l("Tải nhật ký hệ thống"),
    "booking_accept": _l("Tiếp nhận đăng ký"),
    "booking_refuse": _l("Từ chối tiếp"),
    "booking_redirect": _l("Hướng dẫn, chuyển cơ quan có thẩm quyền"),
    "booking_cancel": _l("Hủy đăng ký"),
    "booking_classify": _l("Xác định loại vụ việc"),
    "booking_create": _l("Đăng ký tiếp công dân"),
    "booking_expire": _l("Đăng ký hết hạn"),
    "booking_rate": _l("Đánh giá buổi tiếp"),
    "booking_reschedule": _l("Đổi lịch tiếp"),
    "consent_recording": _l("Đồng ý ghi hình"),
    "create_admin": _l("Tạo tài khoản quản trị"),
    "create_agency": _l("Thêm cơ quan"),
    "deactivate_user": _l("Khóa tài khoản"),
    "denouncer_revealed": _l("Xem danh tính người tố cáo"),
    "export": _l("Xuất dữ liệu"),
    "grant_role": _l("Cấp vai trò"),
    "holiday_override_add": _l("Thêm ngày nghỉ, ngày làm bù"),
    "holiday_override_remove": _l("Xóa ngày nghỉ, ngày làm bù"),
    "import_units": _l("Nhập danh mục đơn vị hành chính"),
    "invite_staff": _l("Mời cán bộ"),
    "login": _l("Đăng nhập"),
    "login_failed": _l("Đăng nhập không thành công"),
    "minutes_save": _l("Lưu biên bản"),
    "password_change": _l("Đổi mật khẩu"),
    "password_reset": _l("Đặt lại mật khẩu"),
    "password_reset_requested": _l("Yêu cầu đặt lại mật khẩu"),
    "personal_data_anonymised": _l("Ẩn danh dữ liệu cá nhân"),
    "personal_data_deletion_request": _l("Yêu cầu xóa dữ liệu cá nhân"),
    "personal_data_export": _l("Tải dữ liệu cá nhân"),
    "phone_check_sent": _l("Gửi mã xác minh số điện thoại"),
    "phone_verified": _l("Xác minh số điện thoại"),
    "unconfirmed_registration_released": _l("Giải phóng đăng ký chưa xác nhận số điện thoại"),
    "profile_update": _l("Cập nhật hồ sơ"),
    "queue_called": _l("Mời công dân vào tiếp"),
    "queue_recall": _l("Mời lại công dân"),
    "queue_mark_no_show": _l("Ghi nhận công dân vắng mặt"),
    "queue_finish": _l("Kết thúc lượt tiếp"),
    "reactivate_user": _l("Mở khóa tài khoản"),
    "recording_downloaded": _l("Tải bản ghi hình"),
    "recording_stored": _l("Lưu bản ghi hình"),
    "register": _l("Đăng ký tài khoản"),
    "resend_invitation": _l("Gửi lại lời mời"),
    "retry_notification": _l("Gửi lại thông báo"),
    "reveal": _l("Xem thông tin cá nhân"),
    "revoke_role": _l("Thu hồi vai trò"),
    "schedule_create": _l("Tạo lịch tiếp định kỳ"),
    "schedule_stop": _l("Dừng lịch tiếp định kỳ"),
    "schedule_update": _l("Sửa lịch tiếp định kỳ"),
    "session_cancel": _l("Hủy buổi tiếp"),
    "session_closed": _l("Kết thúc buổi tiếp"),
    "session_create": _l("Tạo buổi tiếp"),
    "session_deputy": _l("Ủy quyền chủ trì buổi tiếp"),
    "session_opened": _l("Mở buổi tiếp"),
    "sessions_ended": _l("Đóng các buổi tiếp đã hết giờ"),
    "task_attachment_add": _l("Thêm tệp cho nhiệm vụ"),
    "task_create": _l("Giao nhiệm vụ"),
    "task_escalate": _l("Báo cáo nhiệm vụ quá hạn"),
    "task_review": _l("Xem xét kết quả nhiệm vụ"),
    "task_status": _l("Cập nhật tiến độ nhiệm vụ"),
    "totp_disable": _l("Tắt xác thực hai bước"),
    "totp_enable": _l("Bật xác thực hai bước"),
    "totp_failed": _l("Mã xác thực hai bước sai"),
    "totp_recovery_codes": _l("Tạo mã khôi phục"),
    "totp_recovery_used": _l("Dùng mã khôi phục"),
    "unlock_user": _l("Mở khóa đăng nhập"),
    "update_agency": _l("Sửa thông tin cơ quan"),
    "update_unit": _l("Sửa thông tin đơn vị"),
    "update_user": _l("Sửa tài khoản"),
    "vneid_failed": _l("Đăng nhập VNeID không thành công"),
    "vneid_link": _l("Liên kết VNeID"),
    "vneid_link_asked": _l("Yêu cầu liên kết VNeID"),
}

DETAIL_LABELS = {
    "address": _l("Địa chỉ IP"),
    "again": _l("Lần lặp lại"),
    "agency": _l("Cơ quan"),
    "attachment": _l("Tệp đính kèm"),
    "authorisation": _l("Văn bản ủy quyền"),
    "booking": _l("Đăng ký"),
    "booking_ids": _l("Các đăng ký"),
    "bookings": _l("Số đăng ký"),
    "case_records_retained": _l("Hồ sơ vụ việc được giữ lại"),
    "cases": _l("Số vụ việc"),
    "changes": _l("Thay đổi"),
    "channel": _l("Kênh"),
    "chunks_dropped": _l("Số đoạn bị bỏ"),
    "code": _l("Mã"),
    "completed_by": _l("Người hoàn thành"),
    "count": _l("Số lượng"),
    "created": _l("Số mục đã tạo"),
    "decision": _l("Quyết định"),
    "deputy_id": _l("Người chủ trì thay"),
    "document": _l("Văn bản"),
    "due_date": _l("Hạn hoàn thành"),
    "end": _l("Kết thúc"),
    "failures": _l("Số lần sai"),
    "field": _l("Trường"),
    "filters": _l("Bộ lọc"),
    "format": _l("Định dạng"),
    "ground": _l("Căn cứ"),
    "host_id": _l("Người chủ trì"),
    "kept": _l("Giữ lại"),
    "kind": _l("Loại"),
    "known": _l("Tài khoản có tồn tại"),
    "matter_type": _l("Loại vụ việc"),
    "name": _l("Tên"),
    "new": _l("Giá trị mới"),
    "notices": _l("Số thông báo"),
    "old": _l("Giá trị cũ"),
    "outcome": _l("Kết quả"),
    "provinces": _l("Tỉnh, thành phố"),
    "reason": _l("Lý do"),
    "recording_id": _l("Bản ghi hình"),
    "role": _l("Vai trò"),
    "rows": _l("Số dòng"),
    "rrule": _l("Quy tắc lặp"),
    "score": _l("Điểm đánh giá"),
    "session_id": _l("Buổi tiếp"),
    "sessions": _l("Số buổi tiếp"),
    "sha256": _l("Mã băm SHA-256"),
    "size": _l("Dung lượng"),
    "start": _l("Bắt đầu"),
    "status": _l("Trạng thái"),
    "still_waiting": _l("Số người còn chờ"),
    "ticket": _l("Số thứ tự"),
    "unit": _l("Đơn vị"),
    "version": _l("Phiên bản"),
    "via": _l("Qua"),
    "where": _l("Nơi thực hiện"),
}


def action_label(code: str) -> str:
    """The Vietnamese label of an action code, or the code itself."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def _value(value) -> str:
    """One detail value in words: yes/no, lists joined, dates dd/mm/yyyy."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {_value(v)}" for k, v in value.items())
    return _date_text(str(value))


def _date_text(text: str) -> str:
    """An ISO date or date-time shown as dd/mm/yyyy (HH:MM); any other text as is."""
    looks_iso = len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-"
    try:
        if looks_iso and len(text) == 10:
            return date.fromisoformat(text).strftime("%d/%m/%Y")
        if looks_iso and 16 <= len(text) <= 32 and text[10] in "T ":
            moment = datetime.fromisoformat(text)
            local = to_local(moment) if moment.tzinfo else moment
            return local.strftime("%H:%M %d/%m/%Y")
    except ValueError:
        pass
    return text


def detail_items(detail: str) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's JSON detail; raw text when it is not JSON."""
    if not detail or detail == "{}":
        return []
    try:
        data = json.loads(detail)
    except ValueError:
        return [(_("Chi tiết"), detail)]
    if not isinstance(data, dict):
        return [(_("Chi tiết"), _value(data))]
    return [(str(DETAIL_LABELS.get(key, key)), _value(value)) for key, value in data.items()]
