"""The one error bookings services raise: a status, a contract code and core messages."""

from __future__ import annotations

from sessions.errors import N_, CoreError


class BookingError(Exception):
    """A booking request that cannot be carried out.

    ``status`` and ``code`` are those of CONTRACT §3 (422 ``validation_error``, 409
    ``slot_taken`` ...); ``error`` is the headline message and ``errors`` the
    per-field messages, both :class:`CoreError` so that each door translates them.
    """

    def __init__(self, status: int, code: str, error: CoreError,
                 errors: dict[str, CoreError] | None = None):
        super().__init__(code)
        self.status, self.code, self.error = status, code, error
        self.errors = errors or {}


def invalid(errors: dict[str, CoreError]) -> BookingError:
    """422 validation_error listing every invalid field."""
    return BookingError(422, "validation_error",
                        CoreError("validation_error", N_("Dữ liệu không hợp lệ.")), errors)


def not_found() -> BookingError:
    return BookingError(404, "not_found", CoreError("not_found", N_("Không tìm thấy.")))


def invalid_state(message: str | None = None) -> BookingError:
    """409 invalid_state: the booking (or its session) no longer allows this."""
    return BookingError(409, "invalid_state", CoreError(
        "invalid_state", message or N_("Trạng thái hiện tại của lịch hẹn không cho phép "
                                       "thao tác này.")))


def slot_taken() -> BookingError:
    return BookingError(409, "slot_taken", CoreError(
        "slot_taken", N_("Khung giờ này vừa có người đặt. Xin vui lòng chọn khung giờ khác."),
        field="slot_start"))


def session_full() -> BookingError:
    return BookingError(409, "session_full", CoreError(
        "session_full", N_("Buổi tiếp đã hết lượt. Bạn có thể đăng ký vào danh sách chờ hoặc "
                           "chọn buổi tiếp khác."), field="session_id"))


def duplicate_matter() -> BookingError:
    return BookingError(409, "duplicate_matter", CoreError(
        "duplicate_matter", N_("Bạn đã có một lịch hẹn đang mở cho cùng vụ việc này.")))


def consent_required(errors: dict[str, CoreError]) -> BookingError:
    return BookingError(422, "consent_required", next(iter(errors.values())), errors)
