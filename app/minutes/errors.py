"""The error raised by the minutes, tasks and reports services.

It carries the status and code of CONTRACT §3 and core messages (CoreError) that
each door translates: the API answers JSON, the web pages flash or show them.
"""

from __future__ import annotations

from sessions.errors import N_, CoreError


class ActionError(Exception):
    """A request that cannot be carried out; ``extra`` adds keys to the JSON answer."""

    def __init__(self, status: int, code: str, error: CoreError,
                 errors: dict[str, CoreError] | None = None, extra: dict | None = None):
        super().__init__(code)
        self.status, self.code, self.error = status, code, error
        self.errors = errors or {}
        self.extra = extra or {}


def invalid(errors: dict[str, CoreError]) -> ActionError:
    """422 validation_error listing every invalid field."""
    return ActionError(422, "validation_error",
                       CoreError("validation_error", N_("Dữ liệu không hợp lệ.")), errors)


def invalid_state(message: str | None = None, extra: dict | None = None) -> ActionError:
    """409 invalid_state: the object no longer allows this."""
    return ActionError(409, "invalid_state", CoreError(
        "invalid_state", message or N_("Trạng thái hiện tại không cho phép thao tác này.")),
        extra=extra)


def from_core(error: CoreError) -> ActionError:
    """409 for a refused state change, else 422 on the error's field."""
    if error.code == "invalid_state":
        return ActionError(409, "invalid_state", error)
    return invalid({error.field or "error": error})


def forbidden() -> ActionError:
    return ActionError(403, "forbidden", CoreError(
        "forbidden", N_("Bạn không có quyền thực hiện thao tác này.")))


def not_found() -> ActionError:
    return ActionError(404, "not_found", CoreError("not_found", N_("Không tìm thấy.")))
