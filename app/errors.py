"""Errors: JSON under /api/ (CONTRACT §3), friendly pages on the web."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large",
         415: "bad_request", 422: "validation_error", 429: "rate_limited", 500: "server_error"}


def default_message(status: int) -> str:
    return {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Bạn cần đăng nhập."),
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy."),
        405: _("Phương thức không được hỗ trợ."),
        409: _("Thao tác xung đột với trạng thái hiện tại."),
        413: _("Dữ liệu gửi lên quá lớn."),
        415: _("Yêu cầu không hợp lệ."),
        422: _("Dữ liệu không hợp lệ."),
        429: _("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau."),
        500: _("Đã có lỗi xảy ra. Vui lòng thử lại sau."),
    }.get(status, _("Đã có lỗi xảy ra. Vui lòng thử lại sau."))


class ApiError(Exception):
    """An API error answered as {"error", "message", "errors"}."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None,
                 errors: dict | None = None, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(code or CODES.get(status, "error"))
        self.status, self.code = status, code or CODES.get(status, "error")
        self.message, self.errors, self.headers = message, errors or {}, headers or {}
        self.extra = extra or {}

    def response(self):
        body = {"error": self.code, "message": self.message or default_message(self.status),
                "errors": self.errors, **self.extra}
        return jsonify(body), self.status, self.headers


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return exc.response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        headers = {}
        if status == 429:
            headers["Retry-After"] = str(_retry_after(exc))
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        if wants_json():
            return ApiError(status, headers=headers).response()
        return render_template("errors/error.html", status=status,
                               message=default_message(status)), status, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return ApiError(500).response()
        return render_template("errors/error.html", status=500,
                               message=default_message(500)), 500


def _retry_after(exc) -> int:
    limit = getattr(exc, "limit", None)
    try:
        return int(limit.limit.get_expiry()) if limit else 60
    except Exception:  # noqa: BLE001 - any failure falls back to a minute
        return 60
