"""Where each role lands after signing in: its own start page (a ``next=`` wins)."""

from __future__ import annotations

from flask import url_for

#: Role -> endpoint of its start page, first match wins (an account may hold several).
START_PAGES: tuple[tuple[str, str], ...] = (
    ("admin", "admin.index"),
    ("secretary", "reports.desk"),
    ("host", "reports.desk"),
    ("deputy", "reports.desk"),
    ("officer", "tasks.mine"),
    ("operator", "pointdesk.index"),
)


def start_endpoint(user) -> str:
    """The endpoint of ``user``'s start page; the home page for a citizen."""
    for role, endpoint in START_PAGES:
        if user.has_role(role):
            return endpoint
    return "main.home"


def start_page(user) -> str:
    """The URL of ``user``'s start page."""
    return url_for(start_endpoint(user))
