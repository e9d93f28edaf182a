"""Locale choice (Vietnamese by default) and translation of core messages."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import gettext
from flask_login import current_user

from sessions.errors import CoreError


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    choice = request.args.get("lang")
    if choice in languages:
        return choice
    if session.get("lang") in languages:
        return session["lang"]
    # An API request names its caller by its token (looked up once, app/api): asking
    # Flask-Login again costs a session check per request.
    user = g.api_caller if "api_caller" in g else current_user
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    # Vietnamese unless the person chose otherwise: the browser's language is not a
    # choice (many officials' computers are set to English).
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def core_message(error: CoreError) -> str:
    """A core error's message in the current language."""
    return error.translated(gettext)


def field_messages(errors: dict[str, CoreError]) -> dict[str, str]:
    return {field: core_message(err) for field, err in errors.items()}
