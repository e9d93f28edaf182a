"""One message queue notice per queue change, whatever the number of citizens.

With several processes sharing a message queue (Redis), an event sent to a room is
published once and every process delivers it to the room's sockets it holds. A queue
change sends one personal ``queue`` event per citizen, plus ``queue_state`` and
``board``: published one by one, a call in a session of a thousand waiting citizens was
a thousand and two messages, each decoded and matched against the rooms by every
process, and the sender waited for each publication in turn.

Instead, the process that changed a queue publishes one notice ("the queue of session S
changed") and sends the new places to its own sockets; every other process, on the
notice, reads the queue from the database and sends to its own sockets. The notice is an
ordinary ``emit`` message of the message queue, to a room no socket ever joins, that the
client manager below recognises before delivery: nothing else of python-socketio changes.
"""

from __future__ import annotations

import logging
import re
import time

import socketio

NOTICE_EVENT = "queue_changed"
NOTICE_ROOM = "queue-notices"  # a room name no socket joins (room_name() never makes it)
# Longest wait between two attempts to reach Redis again. python-socketio doubles its
# wait up to 60 s: after a 30-second outage the rooms stayed apart for 31–63 s more.
RETRY_CAP_SECONDS = 2.0
SESSION_ROOM = re.compile(r"(?:^|:)session:(\d+)(?::|$)")
log = logging.getLogger(__name__)


class QueueNoticeMixin:
    """Added to python-socketio's message queue manager (Redis, Kafka, ZeroMQ, Kombu)."""

    app = None  # the Flask app whose context the notices of other processes run in

    def publish_queue_change(self, session_id: int) -> None:
        """Tell the other processes that the queue of ``session_id`` changed."""
        from .rooms import NAMESPACE

        self._publish({"method": "emit", "event": NOTICE_EVENT,
                       "data": [{"session_id": session_id}], "binary": False,
                       "namespace": NAMESPACE, "room": NOTICE_ROOM, "skip_sid": None,
                       "callback": None, "host_id": self.host_id})

    def _handle_emit(self, message):
        if message.get("room") != NOTICE_ROOM or message.get("event") != NOTICE_EVENT:
            return super()._handle_emit(message)
        try:
            data = message["data"]
            session_id = int((data[0] if isinstance(data, list) else data)["session_id"])
        except (KeyError, IndexError, TypeError, ValueError):
            log.warning("malformed queue notice ignored: %r", message.get("data"))
            return None
        self.server.start_background_task(self._send_local, session_id)
        return None

    def _send_local(self, session_id: int) -> None:
        from .rooms import send_queue_locally

        try:
            with self.app.app_context():
                send_queue_locally(session_id)
        except Exception:  # noqa: BLE001 - a background task has nobody to tell
            log.exception("queue notice of session %s failed", session_id)


class RedisRecoveryMixin:
    """Redis comes back: listen again within ``RETRY_CAP_SECONDS`` and re-send the
    places this process holds, since the notices published meanwhile were lost."""

    def _redis_listen_with_retries(self):
        wait, connected_before, subscribed = 0.5, False, False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed, wait = True, 0.5
                    if connected_before:
                        log.warning("message queue reachable again: re-sending places")
                        self._resend_local_queues()
                    connected_before = True
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - any Redis failure: connect again
                log.error("message queue unreachable, retrying in %.1f s: %s", wait, exc)
                subscribed = False
                time.sleep(wait)
                wait = min(wait * 2, RETRY_CAP_SECONDS)

    def _resend_local_queues(self) -> None:
        from .rooms import NAMESPACE

        sessions = {int(found.group(1)) for room in self.rooms.get(NAMESPACE, {})
                    if isinstance(room, str) and (found := SESSION_ROOM.search(room))}
        for session_id in sorted(sessions):
            self.server.start_background_task(self._send_local, session_id)


def client_manager(url: str | None, app):
    """The message queue manager Flask-SocketIO would make for ``url`` (same choice of
    class), able to carry queue notices; None without a message queue."""
    if not url:
        return None
    if url.startswith(("redis://", "rediss://")):
        base = socketio.RedisManager
    elif url.startswith("kafka://"):
        base = socketio.KafkaManager
    elif url.startswith("zmq"):
        base = socketio.ZmqManager
    else:
        base = socketio.KombuManager
    mixins = (RedisRecoveryMixin, QueueNoticeMixin) if base is socketio.RedisManager \
        else (QueueNoticeMixin,)
    manager_class = type(f"QueueNotice{base.__name__}", (*mixins, base), {})
    channel = (app.config.get("SOCKETIO_CHANNEL") if app is not None else None) \
        or "flask-socketio"
    manager = manager_class(url, channel=channel)
    manager.app = app
    return manager


def notices(manager) -> bool:
    """Whether queue changes travel between processes as notices."""
    return isinstance(manager, QueueNoticeMixin)
