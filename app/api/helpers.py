"""Small helpers shared by the API modules: body parsing and access checks."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from ..auth.loaders import token_user
from ..auth.models import User
from ..auth.services import TokenCaller
from ..errors import ApiError
from ..i18n import field_messages

OPENAPI_PATHS: dict[str, dict] = {}


def document(path: str, method: str, summary: str, *, auth: bool = False,
             body: dict | None = None, responses: dict | None = None,
             params: list | None = None, description: str | None = None) -> None:
    """Describe a route in the OpenAPI document (every API route is described)."""
    op: dict = {"summary": summary, "responses": responses or {"200": {"description": "OK"}}}
    if description:
        op["description"] = description
    for code in ("400", "401", "403", "404", "409", "413", "422", "429"):
        op["responses"].setdefault(code, {"$ref": f"#/components/responses/E{code}"})
    if auth:
        op["security"] = [{"bearer": []}]
    if body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = [_with_id_range(param) for param in params]
    OPENAPI_PATHS.setdefault(path, {})[method.lower()] = op


# An uploaded file as the API describes it, and a stored file given back.
ATTACHMENT_CREATED = {"description": "The attachment", "content": {"application/json": {
    "schema": {"type": "object", "required": ["id", "filename", "content_type", "size"],
               "properties": {"id": {"type": "integer"}, "filename": {"type": "string"},
                              "content_type": {"type": "string",
                                               "enum": ["application/pdf", "image/jpeg",
                                                        "image/png"]},
                              "size": {"type": "integer", "minimum": 1}}}}}}
FILE_DOWNLOAD = {"description": "The file, as a download (Content-Disposition: attachment)",
                 "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                             for kind in ("application/pdf", "image/jpeg", "image/png")}}


def _with_id_range(param: dict) -> dict:
    """An integer path parameter is a row id: 1 to 2**31 - 1 (others are 404)."""
    if param.get("in") != "path" or param.get("schema", {}).get("type") != "integer":
        return param
    return {**param, "example": 1,
            "schema": {"minimum": 1, "maximum": 2**31 - 1, **param["schema"]}}


def json_body() -> dict:
    """The request's JSON object, or 400 bad_request."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("Nội dung yêu cầu phải là một đối tượng JSON."))
    return data


def api_caller(*roles: str) -> TokenCaller:
    """Who calls (401 when anonymous; 403 when none of ``roles`` is held, if given),
    without loading the person."""
    caller = g.get("api_caller")
    if caller is None:
        raise ApiError(401)
    if roles and not caller.has_role(*roles):
        raise ApiError(403)
    return caller


def current_api_user(*roles: str) -> User:
    """The person who calls, checked as :func:`api_caller` does, loaded once per request."""
    api_caller(*roles)
    user = token_user()
    if user is None:  # removed since the token was looked up
        raise ApiError(401)
    return user


def validation_error(errors: dict, message: str | None = None) -> ApiError:
    return ApiError(422, "validation_error", message or _("Dữ liệu không hợp lệ."),
                    errors=field_messages(errors))


def query_param(name: str) -> str:
    # Only ordinary white space is trimmed: str.strip() would also remove control
    # characters such as U+001E and let "?level=%1E" pass for an absent filter.
    return (request.args.get(name) or "").strip(" \t\r\n")


# The largest integer a JSON field may carry: ids and counts are 32-bit columns.
INT_MAX = 2**31 - 1


def _unsafe_values(value, where: str, errors: dict) -> None:
    """Record in ``errors`` the values no column can store: integers past 32 bits,
    NaN and infinities, text with NUL characters (PostgreSQL refuses them).

    Types, formats and ranges stay with each service, which names the field and the rule.
    """
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > INT_MAX:
            errors[where] = _("Số quá lớn.")
    elif isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            errors[where] = _("Trường này phải là một số.")
    elif isinstance(value, str):
        if "\x00" in value:
            errors[where] = _("Không được chứa ký tự NUL.")
    elif isinstance(value, dict):
        for name, item in value.items():
            if "\x00" in name:
                errors[where or "body"] = _("Không được chứa ký tự NUL.")
            else:
                _unsafe_values(item, f"{where}.{name}" if where else name, errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _unsafe_values(item, f"{where}.{index}" if where else str(index), errors)


def check_request_values() -> None:
    """Refuse, before any service sees them, query values with NUL characters (400) and
    JSON values no column can hold (422)."""
    for name, value in request.args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise ApiError(400, "bad_request", _("Tham số không được chứa ký tự NUL."))
    if not request.is_json:
        return
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return  # json_body() answers 400
    errors: dict[str, str] = {}
    _unsafe_values(data, "", errors)
    if errors:
        raise ApiError(422, "validation_error", _("Dữ liệu không hợp lệ."), errors=errors)
