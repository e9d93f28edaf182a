"""The gunicorn worker of production: gevent, with WebSockets served by gevent-websocket.

``gunicorn.conf.py`` names :class:`Worker`. It is gunicorn's gevent pywsgi worker with
gevent-websocket's handler, the server Flask-SocketIO documents for gevent, and these
changes for a process that holds a thousand waiting citizens (docs/performance.md has the
measurements):

* the WebSocket is read in the connection's own greenlet, instead of simple-websocket's
  extra reader greenlet and wsproto state per connection (~14 MB less for 1,000
  connections); gevent-websocket never negotiates per-message compression;
* each connection's read buffer is 2 KB instead of 8 KB (a request line and its headers
  fit; bodies larger than the buffer are read straight into their destination);
* Engine.IO's ping is a timer of the event loop instead of a greenlet per connection
  sleeping 25 seconds between pings (:func:`ping_with_timers`);
* a WebSocket message larger than Engine.IO accepts is refused while it is being read
  (:class:`LimitedWebSocket`), not after the whole of it is in memory.

It also keeps two things of gunicorn's own gevent worker: the access log, and taking
keep-alive connections in turn (one yield per request: a client that pipelines its next
request within microseconds would otherwise be served again and again while the others
wait).
"""

from __future__ import annotations

import logging
import struct
import time

import gevent
import geventwebsocket.handler
from geventwebsocket.exceptions import FrameTooLargeException, WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import WebSocket
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler

READ_BUFFER = 2048
# Engine.IO's own limit (python-engineio's max_http_buffer_size, left at its default).
MAX_MESSAGE = 1_000_000
log = logging.getLogger(__name__)


class LimitedWebSocket(WebSocket):
    """gevent-websocket's WebSocket, with a limit on the size of one message.

    gevent-websocket reads a frame of whatever length its header announces, and a message
    of any number of frames; Engine.IO refuses a message over ``MAX_MESSAGE`` only once it
    is whole. Here the frames' lengths are counted before their payloads are read: past
    the limit the WebSocket is closed and nothing more is read.
    """

    __slots__ = ("_received",)

    def __init__(self, environ, stream, handler):
        super().__init__(environ, stream, handler)
        received = self._received = [0]  # shared with the reader, without a cycle
        read = self.raw_read

        def raw_read(length):
            received[0] += length
            if received[0] > MAX_MESSAGE:
                raise FrameTooLargeException(f"message over {MAX_MESSAGE} bytes")
            return read(length)

        self.raw_read = raw_read

    def read_message(self):
        self._received[0] = 0
        try:
            return super().read_message()
        except WebSocketError:
            if self._received[0] <= MAX_MESSAGE:
                raise
            log.info("WebSocket message over %s bytes refused", MAX_MESSAGE)
            # Close with 1009 "message too big" (gevent-websocket's close() sends no code).
            try:
                self.send_frame(struct.pack("!H", 1009) + b"message too big",
                                self.OPCODE_CLOSE)
            except WebSocketError:
                pass
            self.closed = True
            return None


# The handler builds its WebSocket by this module-level name.
geventwebsocket.handler.WebSocket = LimitedWebSocket


class Handler(WebSocketHandler, PyWSGIHandler):
    """One connection: HTTP requests in turn, or one WebSocket for its whole life."""

    def __init__(self, sock, address, server, rfile=None):
        if rfile is None:
            rfile = sock.makefile("rb", READ_BUFFER)
        super().__init__(sock, address, server, rfile)

    def handle_one_request(self):
        result = super().handle_one_request()
        if result is True:  # keep-alive: the next request waits for the others' turn
            gevent.sleep(0)
        return result

    def log_request(self):
        if "101" not in str(self.status):  # a WebSocket's end is not a request
            PyWSGIHandler.log_request(self)


class Worker(GeventPyWSGIWorker):
    """gunicorn ``worker_class`` for production (see gunicorn.conf.py)."""

    wsgi_handler = Handler

    def patch(self):
        super().patch()  # gevent's monkey-patching first, before Engine.IO is imported
        ping_with_timers()


def ping_with_timers() -> bool:
    """Schedule each Engine.IO socket's next ping on a timer of gevent's loop.

    python-engineio starts a background task per socket that sleeps for the ping interval
    and then queues the ping: one greenlet per connection, always alive, with its own
    frame stack (~7 KB each). A timer costs a few hundred bytes and spawns nothing: when it
    fires, the ping is put on the socket's queue, which its writer greenlet sends, as
    before. Only for gevent (the timer belongs to gevent's loop); returns False, leaving
    Engine.IO as it is, if its socket no longer has the expected methods.
    """
    from engineio import packet, socket

    cls = socket.Socket
    if getattr(cls.schedule_ping, "timer_based", False):
        return True
    if not hasattr(cls, "_send_ping"):
        log.warning("Engine.IO's socket changed; pings keep their own greenlets")
        return False

    def fire(sock, timer) -> None:
        timer.close()
        if sock.closing or sock.closed:
            return
        sock.last_ping = time.time()
        try:
            sock.send(packet.Packet(packet.PING))
        except Exception:  # noqa: BLE001 - closed in between: the service task reaps it
            log.debug("ping to a closing socket %s", sock.sid)

    def schedule_ping(self) -> None:
        # Engine.IO's rule: a new ping only once the previous cycle is complete.
        if self.last_ping:
            self.last_ping = None
            timer = gevent.get_hub().loop.timer(self.server.ping_interval)
            timer.start(fire, self, timer)

    schedule_ping.timer_based = True
    cls.schedule_ping = schedule_ping
    return True
