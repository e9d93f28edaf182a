"""Access checks for web views."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """The signed-in person must hold one of ``roles`` (admin passes every check)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles, "admin"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
