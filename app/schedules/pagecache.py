"""A short-lived cache of the public schedule for visitors who are not signed in.

The public week of a province lists a hundred sessions or more and is the most
visited page on a busy morning, with its JSON twin ``GET /api/v1/sessions``; their
content changes only when a schedule changes or a slot is booked. For anonymous
visitors (no personal content, no form token, no flashed message) the answer is kept
per process for PUBLIC_PAGE_CACHE_SECONDS (15 by default; 0 turns the cache off), per
URL and language. The free-slot counts may therefore lag by those seconds; booking
itself always checks the slot.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from functools import wraps
from threading import Lock

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..web import text_size

MAX_PAGES = 256  # URLs kept per process (a province, its communes, weeks and months)
_pages: OrderedDict[tuple, tuple[float, bytes, str]] = OrderedDict()
_lock = Lock()


def _key() -> tuple:
    # The page carries the device's text size (a class on <html>), so it is part of the key.
    return (request.path, tuple(sorted(request.args.items(multi=True))), str(get_locale()),
            text_size())


def _signed_in() -> bool:
    # An API request's caller was looked up from its token already (app/api): asking
    # Flask-Login would load the person too.
    if "api_caller" in g:
        return g.api_caller is not None
    return current_user.is_authenticated


def _cacheable() -> bool:
    return request.method == "GET" and not _signed_in() and not session.get("_flashes")


def clear() -> None:
    """Forget every cached page (tests; a deployment may call it after an import)."""
    with _lock:
        _pages.clear()


def cached_public_page(view):
    """Serve ``view``'s page from the cache for anonymous visitors while it is fresh."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        ttl = current_app.config.get("PUBLIC_PAGE_CACHE_SECONDS", 15)
        if not ttl or not _cacheable():
            return view(*args, **kwargs)
        key, now = _key(), time.monotonic()
        with _lock:
            hit = _pages.get(key)
        if hit and hit[0] > now:
            response = make_response(hit[1])
            response.headers["Content-Type"] = hit[2]
            return response
        response = make_response(view(*args, **kwargs))
        # A page that wrote to the visitor's session (a form token, a message) is theirs.
        if response.status_code == 200 and not session.modified:
            with _lock:
                _pages[key] = (now + ttl, response.get_data(), response.content_type)
                _pages.move_to_end(key)
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
        return response

    return wrapped
