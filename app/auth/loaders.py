"""How a request is tied to a person: the session cookie (web) or a bearer token (API)."""

from __future__ import annotations

from flask import Flask, g, request

from ..extensions import db, login
from .models import User
from .services import user_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def init_app(app: Flask) -> None:
    login.login_view = "auth.login"
    login.session_protection = "basic"

    @login.user_loader
    def load_user(user_id: str):
        if not str(user_id).isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_active else None

    @login.request_loader
    def load_from_header(_request):
        if "api_user" in g:  # the API blueprint already looked the token up
            return g.api_user
        token = bearer_token()
        return user_for_token(token) if token else None
