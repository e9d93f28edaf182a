"""The refusals of the bookings services, each a CoreError with its CONTRACT §3 code."""

from __future__ import annotations

from sessions.errors import N_, CoreError, invalid, not_found

__all__ = ["consent_required", "duplicate_matter", "invalid", "invalid_state", "not_found",
           "session_full", "slot_taken"]


def invalid_state(message: str | None = None) -> CoreError:
    """409 invalid_state: the booking (or its session) no longer allows this."""
    return CoreError("invalid_state", message or N_(
        "Trạng thái hiện tại của lịch hẹn không cho phép thao tác này."))


def slot_taken() -> CoreError:
    return CoreError("slot_taken", N_(
        "Khung giờ này vừa có người đặt. Xin vui lòng chọn khung giờ khác."), field="slot_start")


def session_full() -> CoreError:
    return CoreError("session_full", N_(
        "Buổi tiếp đã hết lượt. Bạn có thể đăng ký vào danh sách chờ hoặc chọn buổi tiếp "
        "khác."), field="session_id")


def duplicate_matter() -> CoreError:
    return CoreError("duplicate_matter", N_(
        "Bạn đã có một lịch hẹn đang mở cho cùng vụ việc này."))


def consent_required(errors: dict[str, CoreError]) -> CoreError:
    first = next(iter(errors.values()))
    return CoreError("consent_required", first.template, first.field, errors=errors,
                     **first.params)
