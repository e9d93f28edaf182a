"""Which citizens are in a waiting room now, as every process sees it.

A socket lives in one process; with several processes (CONTRACT §5, scaled out behind a
message queue) the one that changes a queue may hold none of the citizens' sockets. So
presence is kept in the database, in :class:`LivePresence` rows:

- a citizen's ``join`` writes a row for the socket (``enter``), its disconnect marks it
  left (``leave``);
- the process holding sockets refreshes their ``seen_at`` every
  ``LIVE_PRESENCE_SECONDS`` (:func:`start_refresher`), so the rows of a process that
  died (no disconnect ever ran) stop counting after three intervals;
- a socket that left less than ``LIVE_PRESENCE_GRACE_SECONDS`` ago still counts: a
  phone that drops its connection for a moment is not "gone".

Rows left longer ago are deleted by :func:`forget_old`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from ..doors import unit_of_work
from ..extensions import db, socketio
from ..notify.jobs import dispatcher_id
from ..timeutil import utcnow
from .models import LivePresence
from .rooms import NAMESPACE

log = logging.getLogger(__name__)
STALE_INTERVALS = 3
_refresher = threading.Lock()
_refreshing: set[int] = set()  # ids of the apps whose sockets this process refreshes


def _interval() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("LIVE_PRESENCE_SECONDS", 60)))


def _grace() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("LIVE_PRESENCE_GRACE_SECONDS", 30)))


def enter(sid: str, session_id: int, user_id: int, now: datetime) -> None:
    """The citizen's socket ``sid`` is in the waiting room of ``session_id``."""
    row = db.session.scalar(select(LivePresence).where(LivePresence.sid == sid,
                                                       LivePresence.session_id == session_id))
    if row is None:
        row = LivePresence(sid=sid, session_id=session_id, user_id=user_id)
        db.session.add(row)
    row.user_id, row.process, row.seen_at, row.left_at = user_id, dispatcher_id(), now, None
    db.session.flush()


def leave(sid: str, now: datetime) -> None:
    """The socket ``sid`` disconnected: it leaves every waiting room it was in."""
    db.session.execute(update(LivePresence)
                       .where(LivePresence.sid == sid, LivePresence.left_at.is_(None))
                       .values(left_at=now).execution_options(synchronize_session=False))


def present(session_id: int, user_ids: Iterable[int], now: datetime) -> set[int]:
    """Those of ``user_ids`` who have a live socket in the session's waiting room (or
    lost it less than the grace period ago)."""
    ids = set(user_ids)
    if not ids:
        return set()
    fresh = now - STALE_INTERVALS * _interval()
    return set(db.session.scalars(
        select(LivePresence.user_id).distinct()
        .where(LivePresence.session_id == session_id, LivePresence.user_id.in_(ids),
               LivePresence.seen_at >= fresh,
               or_(LivePresence.left_at.is_(None), LivePresence.left_at >= now - _grace()))))


def refresh(process: str, now: datetime) -> int:
    """Mark every open socket of ``process`` as seen now; how many."""
    return db.session.execute(
        update(LivePresence).where(LivePresence.process == process,
                                   LivePresence.left_at.is_(None))
        .values(seen_at=now).execution_options(synchronize_session=False)).rowcount


def forget_old(now: datetime) -> int:
    """Delete the rows that no longer count for anything; how many."""
    old = now - STALE_INTERVALS * _interval() - _grace()
    return db.session.execute(
        delete(LivePresence).where(or_(LivePresence.left_at < old, LivePresence.seen_at < old))
        .execution_options(synchronize_session=False)).rowcount


def start_refresher() -> None:
    """Refresh this process's sockets in the background while it holds any (started
    at a citizen's join; stops by itself when the process has no /live socket left)."""
    app = current_app._get_current_object()
    with _refresher:
        if id(app) in _refreshing:
            return
        _refreshing.add(id(app))
    socketio.start_background_task(_refresh_loop, app, socketio.server)


def _refresh_loop(app, server) -> None:
    seconds = int(app.config.get("LIVE_PRESENCE_SECONDS", 60))
    try:
        while True:
            socketio.sleep(seconds)
            if not server.manager.rooms.get(NAMESPACE):
                return  # no socket left here: the next join starts a new loop
            with app.app_context():
                try:
                    with unit_of_work():
                        refresh(dispatcher_id(), utcnow())
                except Exception:  # noqa: BLE001 - a background task has nobody to tell
                    log.exception("refreshing the waiting-room presence failed")
                finally:
                    db.session.remove()
    finally:
        with _refresher:
            _refreshing.discard(id(app))
