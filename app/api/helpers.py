"""Small helpers shared by the API modules: body parsing and access checks."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from ..errors import ApiError
from ..i18n import field_messages

OPENAPI_PATHS: dict[str, dict] = {}


def document(path: str, method: str, summary: str, *, auth: bool = False,
             body: dict | None = None, responses: dict | None = None,
             params: list | None = None) -> None:
    """Describe a route in the OpenAPI document (every API route is described)."""
    op: dict = {"summary": summary, "responses": responses or {"200": {"description": "OK"}}}
    for code in ("400", "401", "403", "404", "409", "422", "429"):
        op["responses"].setdefault(code, {"$ref": f"#/components/responses/E{code}"})
    if auth:
        op["security"] = [{"bearer": []}]
    if body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    OPENAPI_PATHS.setdefault(path, {})[method.lower()] = op


def json_body() -> dict:
    """The request's JSON object, or 400 bad_request."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("Nội dung yêu cầu phải là một đối tượng JSON."))
    return data


def current_api_user(*roles: str):
    """The caller (401 when anonymous; 403 when none of ``roles`` is held, if given)."""
    user = g.get("api_user")
    if user is None:
        raise ApiError(401)
    if roles and not user.has_role(*roles):
        raise ApiError(403)
    return user


def validation_error(errors: dict, message: str | None = None) -> ApiError:
    return ApiError(422, "validation_error", message or _("Dữ liệu không hợp lệ."),
                    errors=field_messages(errors))


def query_param(name: str) -> str:
    return (request.args.get(name) or "").strip()
