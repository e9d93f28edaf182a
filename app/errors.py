"""Errors: JSON under /api/ (CONTRACT §3), friendly pages on the web."""

from __future__ import annotations

import errno
import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large",
         415: "bad_request", 422: "validation_error", 429: "rate_limited", 500: "server_error",
         503: "unavailable", 507: "insufficient_storage"}
# Seconds a client is asked to wait when the database does not answer: a restart of
# PostgreSQL or a cut connection heals in a few seconds (docs/reliability.md).
RETRY_AFTER_SECONDS = 5
# A full upload disk needs an operator: ask for a longer wait.
STORAGE_RETRY_AFTER_SECONDS = 60


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
        503: _("Hệ thống đang tạm gián đoạn. Vui lòng thử lại sau ít giây."),
        507: _("Máy chủ tạm thời hết chỗ lưu tệp. Tệp chưa được lưu, vui lòng thử lại sau."),
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

    @app.errorhandler(OperationalError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeoutError)
    def _database_unavailable(exc: Exception):
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        _forget_transaction()
        return unavailable(503, RETRY_AFTER_SECONDS)

    @app.errorhandler(OSError)
    def _storage_error(exc: OSError):
        if exc.errno not in DISK_FULL:
            return _unexpected(exc)
        log.error("upload storage full on %s %s: %s", request.method, request.path, exc)
        _forget_transaction()
        return unavailable(507, STORAGE_RETRY_AFTER_SECONDS)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return ApiError(500).response()
        return render_template("errors/error.html", status=500,
                               message=default_message(500)), 500


def unavailable(status: int, retry_after: int):
    """503 or 507 with ``Retry-After``: JSON under /api/, else a page that needs neither
    the database nor the signed-in user (the ordinary layout loads both)."""
    headers = {"Retry-After": str(retry_after)}
    if "_login_user" not in g:  # loading the signed-in user would need the database
        g._login_user = current_app.login_manager.anonymous_user()
    if wants_json():
        return ApiError(status, headers=headers).response()
    return render_template("errors/unavailable.html", status=status,
                           message=default_message(status)), status, headers


def _forget_transaction() -> None:
    """Drop the request's failed transaction, whatever state its connection is in."""
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        log.debug("rollback after an outage failed", exc_info=True)


def _retry_after(exc) -> int:
    limit = getattr(exc, "limit", None)
    try:
        return int(limit.limit.get_expiry()) if limit else 60
    except Exception:  # noqa: BLE001 - any failure falls back to a minute
        return 60
