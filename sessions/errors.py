"""The one error a service raises to refuse: a code, an HTTP status, a message, field errors.

Every door translates it the same way (app/doors.py): the web puts the field errors on
the form or flashes the message, the API answers CONTRACT §3's JSON, a Socket.IO
acknowledgement carries ``{"ok": false, "error", "message"}``.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a message for extraction without translating it (the app translates)."""
    return text


#: The HTTP status of a refusal, by code, when the raiser does not give one: the codes
#: of CONTRACT §3; any other code names a broken rule of the input (422).
STATUSES = {"bad_request": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404,
            "conflict": 409, "invalid_state": 409, "overlap": 409, "slot_taken": 409,
            "session_full": 409, "duplicate_matter": 409, "too_large": 413,
            "rate_limited": 429}


class CoreError(ValueError):
    """A rule was broken by the input, or the request cannot be carried out.

    ``code`` is a stable snake_case identifier, ``field`` names the input at fault
    (or ``None``), ``message`` is the Vietnamese source text (a msgid marked with
    ``N_`` so that Babel extracts it) with ``{name}`` placeholders filled from
    ``params``. ``status`` is the HTTP status (from ``code`` unless given), ``errors``
    the per-field errors (each a CoreError) and ``extra`` keys added to the JSON answer.
    """

    def __init__(self, code: str, message: str, field: str | None = None, *,
                 status: int | None = None, errors: dict[str, CoreError] | None = None,
                 extra: dict | None = None, **params):
        self.code = code
        self.field = field
        self.template = message
        self.params = params
        self.status = status or STATUSES.get(code, 422)
        self.errors = dict(errors or {})
        self.extra = dict(extra or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    @property
    def error(self) -> CoreError:
        """The headline error (the error itself; its field errors are in ``errors``)."""
        return self

    def translated(self, gettext) -> str:
        """The message translated by ``gettext`` (the application's), then filled in."""
        text = gettext(self.template)
        return text.format(**self.params) if self.params else text

    def field_errors(self) -> dict[str, CoreError]:
        """The per-field errors; a lone error on a field counts as that field's."""
        if self.errors:
            return self.errors
        return {self.field: self} if self.field else {}


def invalid(errors: dict[str, CoreError]) -> CoreError:
    """422 validation_error listing every invalid field."""
    return CoreError("validation_error", N_("Dữ liệu không hợp lệ."), errors=errors)


def invalid_state(message: str | None = None, extra: dict | None = None) -> CoreError:
    """409 invalid_state: the object no longer allows this."""
    return CoreError("invalid_state",
                     message or N_("Trạng thái hiện tại không cho phép thao tác này."),
                     extra=extra)


def not_found() -> CoreError:
    return CoreError("not_found", N_("Không tìm thấy."))


def forbidden() -> CoreError:
    return CoreError("forbidden", N_("Bạn không có quyền thực hiện thao tác này."))


def from_core(error: CoreError) -> CoreError:
    """A rule's error as a refusal: 409 for a refused state change, else 422 on its field."""
    if error.code == "invalid_state":
        return error
    return invalid({error.field or "error": error})
