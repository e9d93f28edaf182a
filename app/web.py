"""What every page shares: template helpers, security headers, navigation."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from babel.dates import get_day_names
from flask import Flask, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from werkzeug.urls import iri_to_uri

from sessions.rule_words import describe

from .timeutil import to_local

ROLE_LABELS = {
    "citizen": _l("Công dân"), "secretary": _l("Thư ký tiếp công dân"),
    "host": _l("Chủ tịch (chủ trì tiếp)"), "deputy": _l("Phó Chủ tịch (chủ trì thay)"),
    "officer": _l("Cán bộ cơ quan chuyên môn"), "inspector": _l("Thanh tra"),
    "admin": _l("Quản trị hệ thống"), "operator": _l("Cán bộ điểm cầu"),
}


# Unicode categories a browser may drop or read as a separator inside a URL: control
# and format characters (tab, CR, LF, zero-width), line, paragraph and other spaces.
_DROPPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def safe_next(target, default: str = "/") -> str:
    r"""``target`` if it is a path of this site, else ``default`` (CONTRACT §7).

    Browsers drop tabs and newlines and read a backslash as a slash, and full-width
    look-alikes fold to ASCII on the way, so ``/\t/evil``, ``/\evil`` or ``／／evil``
    would leave the site:
    the target is normalised first, then it must start with exactly one ``/`` and
    name neither a scheme nor a host. Every redirect to a user-given place uses it.
    """
    if not isinstance(target, str) or not target:
        return default
    cleaned = "".join(c for c in unicodedata.normalize("NFKC", target)
                      if c != "\\" and unicodedata.category(c) not in _DROPPED)
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return default
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return default
    if parts.scheme or parts.netloc:
        return default
    return iri_to_uri(cleaned)


def safe_referrer(default: str = "/") -> str:
    """The page the visitor came from when it is a page of this site, else ``default``."""
    try:
        parts = urlsplit(request.referrer or "")
    except ValueError:  # a host that is no host (e.g. full-width look-alikes)
        return default
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return default
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), default)


#: The text sizes of the header's switch (A, A+, A++): the cookie's values and the class
#: they put on <html> (static/css/app.css scales the root font size, so every rem).
TEXT_SIZES = {"normal": "", "large": "text-large", "larger": "text-larger"}
TEXT_SIZE_COOKIE = "text_size"


def text_size() -> str:
    """This device's text size (its cookie), ``normal`` when unset or unknown, and
    outside a request (a message rendered by a job)."""
    if not has_request_context():
        return "normal"
    size = request.cookies.get(TEXT_SIZE_COOKIE, "")
    return size if size in TEXT_SIZES else "normal"


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def display_phone(value: str | None) -> str:
    if not value:
        return ""
    from sessions.identity import display_phone as show

    return show(value)


def mask_cccd(value: str | None) -> str:
    if not value:
        return ""
    from sessions.identity import mask_cccd as mask

    return mask(value)


def nav_items() -> list[dict]:
    """Links for the header, by the roles of the person signed in."""
    from flask_login import current_user

    items = [("main.home", _l("Trang chủ"))]
    for endpoint, label, roles in NAV:
        if roles is None or (current_user.is_authenticated and current_user.has_role(*roles)):
            items.append((endpoint, label))
    return [{"endpoint": e, "url": url_for(e), "label": str(label)} for e, label in items]


# endpoint, label, roles that see it (None = everyone).
NAV = [
    ("reports.desk", _l("Bàn làm việc"), ("secretary", "host", "deputy")),
    ("schedules.public_index", _l("Lịch tiếp công dân"), None),
    ("bookings.start", _l("Đặt lịch"), ("citizen",)),
    ("bookings.mine", _l("Vụ việc của tôi"), ("citizen",)),
    ("bookings.track", _l("Tra cứu vụ việc"), None),
    ("privacy.mine", _l("Dữ liệu cá nhân"), ("citizen",)),
    ("schedules.manage", _l("Quản lý lịch"), ("secretary", "admin")),
    ("bookings.triage", _l("Tiếp nhận đăng ký"), ("secretary", "admin")),
    ("live.console_index", _l("Phòng tiếp"), ("host", "deputy", "secretary")),
    ("schedules.compliance", _l("Tuân thủ"), ("secretary", "host")),
    ("tasks.mine", _l("Nhiệm vụ"), ("officer", "secretary")),
    ("reports.dashboard", _l("Báo cáo"), ("secretary", "host", "deputy")),
    ("admin.index", _l("Quản trị"), ("admin",)),
    ("audit.search", _l("Nhật ký hệ thống"), ("admin",)),
]


#: CLDR patterns of numbers only, written with strftime: the same text as Babel's, for a
#: fraction of the cost (a week of the public schedule formats hundreds of times).
_NUMERIC_PATTERNS = {
    "HH:mm": "%H:%M", "HH:mm:ss": "%H:%M:%S", "dd/MM/yyyy": "%d/%m/%Y",
    "HH:mm dd/MM/yyyy": "%H:%M %d/%m/%Y", "HH:mm, dd/MM/yyyy": "%H:%M, %d/%m/%Y",
    "HH:mm:ss dd/MM/yyyy": "%H:%M:%S %d/%m/%Y", "dd/MM/yyyy HH:mm": "%d/%m/%Y %H:%M",
    "yyyy-MM-dd": "%Y-%m-%d", "yyyy-MM-dd'T'HH:mm": "%Y-%m-%dT%H:%M",
}
_DATE_PATTERNS = frozenset({"dd/MM/yyyy", "yyyy-MM-dd"})
#: Patterns starting with the weekday's full name, then numbers only.
_WEEKDAY_PREFIX = "EEEE, "


@lru_cache(maxsize=8)
def _weekday_names(locale: str) -> tuple[str, ...]:
    names = get_day_names("wide", context="format", locale=locale)
    return tuple(names[i] for i in range(7))


def localdt(moment, fmt: str = "HH:mm dd/MM/yyyy") -> str:
    """A stored UTC datetime shown in Asia/Ho_Chi_Minh."""
    local = to_local(moment)
    if not local:
        return ""
    numeric = _NUMERIC_PATTERNS.get(fmt)
    if numeric:
        return local.strftime(numeric)
    if fmt.startswith(_WEEKDAY_PREFIX) and fmt[len(_WEEKDAY_PREFIX):] in _NUMERIC_PATTERNS:
        weekday = _weekday_names(str(get_locale()))[local.weekday()]
        return weekday + ", " + local.strftime(_NUMERIC_PATTERNS[fmt[len(_WEEKDAY_PREFIX):]])
    return format_datetime(local, fmt)


def localdate(value, fmt: str = "dd/MM/yyyy") -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = to_local(value).date()
    if fmt in _DATE_PATTERNS:
        return value.strftime(_NUMERIC_PATTERNS[fmt])
    return format_date(value, fmt)


class BoundedIntConverter(IntegerConverter):
    """<int:…> that refuses numbers a database integer cannot hold (404, not a 500)."""

    # The path segment itself must be at most 2**31 - 1: a number refused only after
    # matching would make werkzeug answer 405 when the same path has another method.
    regex = ("(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
             "|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
             "|21474836[0-3][0-9]|214748364[0-7])")

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def rule_words(rule: str, start=None, minutes: int | None = None) -> str:
    """A recurrence rule in words of the page's language, with its hours when given."""
    end = None
    if start is not None and minutes:
        end = (datetime.combine(date.min, start) + timedelta(minutes=minutes)).time()
    return describe(rule, str(get_locale() or "vi"), start, end)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localdt"] = localdt
    app.jinja_env.filters["rule_words"] = rule_words
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["display_phone"] = display_phone
    app.jinja_env.filters["mask_cccd"] = mask_cccd

    @app.context_processor
    def _globals():
        size = text_size()
        return {"current_locale": str(get_locale() or "vi"),
                "site_name": app.config["SITE_NAME"], "text_size": size,
                "text_size_class": TEXT_SIZES[size], "text_sizes": TEXT_SIZES,
                "hotline": app.config.get("HOTLINE", "")}

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.endswith("/board"):
            headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", (
                "default-src 'self'; script-src 'self'; style-src 'self'; "
                "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
                "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; "
                "form-action 'self'" + ("" if request.path.endswith("/board")
                                        else "; frame-ancestors 'none'")))
        if headers.get("Content-Disposition", "").startswith("attachment"):
            # A downloaded file is never a page of the site, even if opened in place.
            headers.setdefault("Content-Security-Policy", "default-src 'none'; sandbox")
        if app.config["APP_ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
