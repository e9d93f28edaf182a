"""The doors: where a unit of work opens, commits, rolls back and a refusal is translated.

Services flush and raise one error, :class:`sessions.errors.CoreError`; they never
commit and never catch to translate. Each door does both, once
(docs/architecture.md):

- every web view and API route is wrapped by :func:`guard_views`: a view that returns
  commits, a view that raises rolls back; a CoreError that escapes becomes CONTRACT §3's
  JSON under /api/ and the error page elsewhere; a view that shows a refusal on its
  own page calls :func:`refuse` or :func:`attempt` (field errors on the form, the
  rest flashed), a page's script gets :func:`json_refusal`;
- each Socket.IO event runs in :func:`unit_of_work` (app/live/events.py), its refusal
  acknowledged with :func:`ack_refusal`;
- each job run is one :func:`unit_of_work` (app/jobs.py); the outbox dispatch commits
  each message on its own, on purpose (app/notify/jobs.py says why).

Work that must only happen once the data is committed (a Socket.IO broadcast, a page
cache to forget) is registered with :func:`after_commit`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, flash, jsonify, render_template

from sessions.errors import STATUSES, CoreError

from .errors import ApiError, wants_json
from .extensions import db
from .i18n import core_message, field_messages

_AFTER_COMMIT = "after_commit"
#: The codes CONTRACT §3 lets the API answer with; any other code names a broken rule
#: of the input, answered as 422 validation_error on its field.
CONTRACT_CODES = frozenset(STATUSES) | {"validation_error", "consent_required"}


def after_commit(action: Callable[[], object]) -> None:
    """Run ``action`` once the current unit of work has committed (never if it rolls back).
    An action registered twice in one unit of work runs once."""
    waiting = db.session.info.setdefault(_AFTER_COMMIT, [])
    if action not in waiting:
        waiting.append(action)


def commit() -> None:
    """Commit the unit of work, then run what waited for it."""
    db.session.commit()
    for action in db.session.info.pop(_AFTER_COMMIT, []):
        action()


def rollback() -> None:
    """Roll the unit of work back; what waited for its commit is dropped."""
    db.session.info.pop(_AFTER_COMMIT, None)
    db.session.rollback()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit when the block ends normally, roll back when it raises (and re-raise)."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def transactional(view: Callable) -> Callable:
    """A view whose return commits and whose exception rolls back."""
    @functools.wraps(view)
    def door(*args, **kwargs):
        with unit_of_work():
            return view(*args, **kwargs)
    return door


def guard_views(app: Flask) -> None:
    """Make every registered view (web page and API route) a door."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = transactional(view)


# --- translating the one refusal -------------------------------------------------------

def api_error(exc: CoreError) -> ApiError:
    """A refusal as CONTRACT §3's JSON error."""
    if exc.code not in CONTRACT_CODES:
        field = exc.field or "error"
        return ApiError(422, "validation_error", core_message(exc),
                        {field: core_message(exc)})
    return ApiError(exc.status, exc.code, core_message(exc), field_messages(exc.errors),
                    extra=exc.extra)


def refusal_text(exc: CoreError) -> str:
    """A refusal as one sentence: its field messages in turn, else its headline."""
    return " ".join(core_message(e) for e in exc.errors.values()) or core_message(exc)


def refuse(exc: CoreError, form=None, aliases: dict[str, str] | None = None) -> str:
    """Roll back and show a refusal on the page (:func:`show_refusal`). Returns the
    headline."""
    rollback()
    return show_refusal(exc, form, aliases)


def show_refusal(exc: CoreError, form=None, aliases: dict[str, str] | None = None) -> str:
    """Show a refusal on the page, keeping the unit of work (a refusal that is itself
    recorded, such as a wrong one-time code using up a try): each field error on the
    ``form`` field of that name (or of the name ``aliases`` gives it), the others
    flashed as one sentence (the headline when the refusal names no field)."""
    unplaced = []
    for name, error in exc.field_errors().items():
        field = (aliases or {}).get(name, name)
        if form is not None and field in form:
            form[field].errors = [*form[field].errors, core_message(error)]
        else:
            unplaced.append(core_message(error))
    if unplaced or not exc.field_errors():
        flash(" ".join(unplaced) or core_message(exc), "danger")
    return core_message(exc)


def attempt(action: Callable, *args, form=None, aliases: dict[str, str] | None = None,
            **kwargs) -> tuple[object, bool]:
    """Call a service for a web page: ``(its result, True)``, or on a refusal
    ``(None, False)`` once :func:`refuse` has rolled back and shown it."""
    try:
        return action(*args, **kwargs), True
    except CoreError as exc:
        refuse(exc, form, aliases)
        return None, False


def json_refusal(exc: CoreError, status: int | None = None):
    """Roll back and answer a page's script: ``{"error", "message", "errors"}``."""
    rollback()
    body = {"error": exc.code, "message": core_message(exc),
            "errors": field_messages(exc.field_errors())}
    return jsonify(body), status or exc.status


def ack_refusal(exc: CoreError) -> dict:
    """A refusal as a Socket.IO acknowledgement (CONTRACT §5)."""
    return {"ok": False, "error": exc.code, "message": core_message(exc)}


def init_app(app: Flask) -> None:
    @app.errorhandler(CoreError)
    def _refused(exc: CoreError):
        if wants_json():
            return api_error(exc).response()
        return render_template("errors/error.html", status=exc.status,
                               message=core_message(exc)), exc.status
