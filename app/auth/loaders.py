"""How a request is tied to a person: the session cookie (web) or a bearer token (API)."""

from __future__ import annotations

from flask import Flask, g, request

from ..extensions import login
from . import websessions
from .models import User
from .services import TokenCaller, caller_for_token, user_for_caller, user_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def load_token_caller() -> TokenCaller | None:
    """Look this request's bearer token up (the API does it first, for every request)."""
    token = bearer_token()
    g.api_token = token
    g.api_caller = caller_for_token(token) if token else None
    g.pop("api_user", None)  # an earlier request's, where they share the app context
    return g.api_caller


def token_user() -> User | None:
    """The person of the token the API request was looked up by, loaded at the first
    call of the request (None without a valid token)."""
    if "api_user" not in g:
        caller = g.get("api_caller")
        g.api_user = user_for_caller(caller) if caller is not None else None
    return g.api_user


def init_app(app: Flask) -> None:
    login.login_view = "auth.login"
    login.session_protection = "basic"

    # The session and the remember-me cookie name a web sign-in that can end
    # (app/auth/websessions.py), not just the person.
    login.user_loader(websessions.load_user)

    @login.request_loader
    def load_from_header(_request):
        if "api_caller" in g:  # the API blueprint already looked the token up
            return token_user()
        token = bearer_token()
        return user_for_token(token) if token else None
