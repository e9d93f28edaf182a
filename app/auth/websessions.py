"""Web sessions that end (CONTRACT §7).

Flask's session and Flask-Login's remember-me cookie are signed, not stored: a copy
works wherever it is replayed. So each web sign-in gets a row (``WebLogin``) and the
value Flask-Login keeps for the person in both cookies is
``"<user id>.<session version>.<sign-in id>"``. Loading the person checks, in one
query, that the sign-in has not ended (logging out ends it) and that the person's
session version is still the one signed in with (a password change or reset and "log
out everywhere" raise it). Any other value, such as a bare user id, signs nobody in.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user, logout_user

from . import services
from .models import User

_REMEMBER_COOKIE = "remember_token"  # Flask-Login's default name


def _remember_cookie_name() -> str:
    return current_app.config.get("REMEMBER_COOKIE_NAME", _REMEMBER_COOKIE)


def login_key(user: User, login_id: int) -> str:
    return f"{user.id}.{user.session_version or 0}.{login_id}"


def parse_login_key(value) -> tuple[int, int, int] | None:
    """(user id, session version, sign-in id) of a cookie's value, or None."""
    parts = str(value or "").split(".")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        return None
    user_id, version, login_id = (int(p) for p in parts)
    return user_id, version, login_id


def load_user(value) -> User | None:
    """Flask-Login's user loader, for the session and the remember-me cookie alike."""
    parsed = parse_login_key(value)
    return services.user_for_web_login(*parsed) if parsed else None


def current_login_id() -> int | None:
    parsed = parse_login_key(session.get("_user_id"))
    return parsed[2] if parsed else None


def sign_in(user: User, *, remember: bool = False) -> None:
    """Sign ``user`` in on this browser with a fresh session (nothing set before
    survives but the chosen language: no fixation) and a new sign-in row. The caller
    commits."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login = services.start_web_login(user)
    login_user(user, remember=remember)
    # Flask-Login stored the bare id; both cookies carry this value instead.
    session["_user_id"] = login_key(user, login.id)


def sign_out() -> None:
    """End this browser's sign-in: its session and its remember-me cookie, here and in
    any copy of them. The caller commits."""
    login_id = current_login_id()
    if login_id is not None:
        services.end_web_login(login_id)
    logout_user()
    session.clear()
    if _remember_cookie_name() in request.cookies:
        session["_remember"] = "clear"  # the browser drops it too


def keep_signed_in(user: User) -> None:
    """After this session raised the person's session version (a password change, "log
    out everywhere"), name the new version in its cookies so that it stays signed in."""
    login_id = current_login_id()
    if login_id is None:
        return
    session["_user_id"] = login_key(user, login_id)
    if _remember_cookie_name() in request.cookies:
        session["_remember"] = "set"  # a new remember-me cookie with the new version
