"""Prompt dispatch: the messages a request queued leave as soon as it has committed.

CONTRACT §6: "an event's messages are handed to their channels within 30 seconds, in
development and production alike". The scheduler's ``dispatch_outbox`` job runs every
20 seconds; on top of it, a commit that wrote outbox rows (app/notify/services.py
registers :func:`dispatch_soon` with ``doors.after_commit``) starts one dispatch run in
the background of this process at once: a daemon ``threading.Thread``, which is a
greenlet in a gevent worker (gunicorn's worker patches ``threading``, app/serving.py)
and a real thread elsewhere, also in the unpatched ``flask scheduler`` process, whose
production setting still names gevent (so ``socketio.start_background_task`` would
spawn a greenlet there that never runs). The request does not wait for it.

At most one such run goes on per process; a commit during a run asks for one more run
after it, so no message waits for the next interval. Runs of other processes and of the
scheduler may go on at the same time: each message is claimed before it is sent
(app/notify/jobs.py), so none is sent twice. Setting ``OUTBOX_DISPATCH_ON_COMMIT=off``
leaves the outbox to the scheduler alone (the tests do, unless a test turns it on).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from ..doors import unit_of_work
from ..extensions import db

log = logging.getLogger(__name__)

_lock = threading.Lock()
_idle = threading.Event()
_idle.set()
_state = {"running": False, "again": False}


def dispatch_soon() -> None:
    """Start a dispatch run in the background now (or one more after the current run)."""
    app = current_app._get_current_object()
    if not app.config.get("OUTBOX_DISPATCH_ON_COMMIT"):
        return
    with _lock:
        if _state["running"]:
            _state["again"] = True
            return
        _state["running"] = True
        _idle.clear()
    try:
        threading.Thread(target=_run, args=(app,), name="outbox-dispatch", daemon=True).start()
    except Exception:  # noqa: BLE001 - the scheduler's interval still sends the message
        log.exception("outbox: could not start a dispatch run")
        _finish()


def _run(app: Flask) -> None:
    """Dispatch runs, one after another while commits asked for one more."""
    while True:
        _dispatch(app)
        with _lock:
            if not _state["again"]:
                break
            _state["again"] = False
    _finish()


def _dispatch(app: Flask) -> None:
    """One dispatch run in its own app context, as a job run is (app/jobs.py), but not
    counted as one: the scheduled jobs' metric stays the scheduler's."""
    from .jobs import dispatch_outbox  # jobs imports services, which imports this module

    with app.app_context():
        try:
            with unit_of_work():
                dispatch_outbox()
        except Exception:  # noqa: BLE001 - what is not sent now goes at the next run
            log.exception("outbox: a dispatch run after a commit failed")
        finally:
            db.session.remove()


def _finish() -> None:
    with _lock:
        _state["running"] = _state["again"] = False
        _idle.set()


def wait_idle(timeout: float) -> bool:
    """Wait until no background run goes on in this process; False on timeout."""
    return _idle.wait(timeout)
