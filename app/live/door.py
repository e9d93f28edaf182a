"""What every /live event passes before its handler: rate limits and a nesting limit.

**Rate limits.** A join costs a transaction and a snapshot of the queue, so 6,000
anonymous joins sent as fast as a script could made the public session page take
11 s. Each event takes a token from two buckets (a token bucket refills ``rate``
tokens a second up to ``burst``):

- one per connection (Socket.IO ``sid``): ``LIVE_EVENT_RATE`` / ``LIVE_EVENT_BURST``;
  ``signal`` has its own, larger bucket (``LIVE_SIGNAL_RATE`` / ``LIVE_SIGNAL_BURST``)
  because a call sends its ICE candidates all at once;
- one per client address (the socket's peer, or X-Forwarded-For behind
  ``PROXY_COUNT`` proxies): ``LIVE_ADDRESS_RATE`` / ``LIVE_ADDRESS_BURST``, larger,
  since many citizens may share an address (a carrier's NAT, a reception point).

An event refused is acknowledged ``{"ok": false, "error": "rate_limited"}`` and the
connection stays open (CONTRACT §5). The buckets live in the process: a connection
lives in one process, and a bucket that has refilled holds nothing worth keeping,
so full buckets are dropped now and then.

**Nesting.** Packets are decoded with :mod:`app.jsonlimits`: a payload nested past
its limit reaches the handler as ``None``, which refuses it as ``bad_request``
(before, a 50,000-deep payload raised RecursionError inside python-socketio and the
sender never got an answer).
"""

from __future__ import annotations

import re
import threading
import time

from flask import current_app, request
from socketio import packet as sio_packet

from sessions.errors import N_, CoreError

from .. import jsonlimits

PRUNE_EVERY = 60.0  # seconds between two sweeps of full buckets


class Bucket:
    """A token bucket: ``burst`` tokens at most, ``rate`` more each second."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float):
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def refill(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return self.tokens


class Limiter:
    """Buckets by key, in this process; an event passes when every one of its buckets
    has a token, and only then takes one from each (a refused event costs nothing, so
    one flooding connection does not drain its address's bucket past its own rate)."""

    def __init__(self):
        self._buckets: dict[tuple, Bucket] = {}
        self._lock = threading.Lock()
        self._pruned: float | None = None

    def admit(self, limits: dict[tuple, tuple[float, float]], now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            if self._pruned is None:
                self._pruned = now
            elif now - self._pruned > PRUNE_EVERY:
                self._prune(now)
            buckets = [self._bucket(key, rate, burst, now)
                       for key, (rate, burst) in limits.items()]
            if any(bucket.refill(now) < 1 for bucket in buckets):
                return False
            for bucket in buckets:
                bucket.tokens -= 1
            return True

    def _bucket(self, key: tuple, rate: float, burst: float, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None or (bucket.rate, bucket.burst) != (rate, burst):
            bucket = self._buckets[key] = Bucket(rate, burst, now)
        return bucket

    def _prune(self, now: float) -> None:
        self._buckets = {key: b for key, b in self._buckets.items()
                         if b.refill(now) < b.burst}
        self._pruned = now

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def __len__(self) -> int:
        return len(self._buckets)


limiter = Limiter()


def _limits(event: str) -> dict[tuple, tuple[float, float]]:
    config = current_app.config
    kind = "signal" if event == "signal" else "event"
    own = (config["LIVE_SIGNAL_RATE"], config["LIVE_SIGNAL_BURST"]) if kind == "signal" \
        else (config["LIVE_EVENT_RATE"], config["LIVE_EVENT_BURST"])
    limits = {("sid", request.sid, kind): own}
    if config["LIVE_ADDRESS_RATE"] > 0:
        limits["address", request.remote_addr or ""] = (config["LIVE_ADDRESS_RATE"],
                                                        config["LIVE_ADDRESS_BURST"])
    return limits


def admit_event() -> None:
    """Take the current event's tokens, or refuse it with ``rate_limited``."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    event = (getattr(request, "event", None) or {}).get("message", "")
    if not limiter.admit(_limits(event)):
        raise CoreError("rate_limited", N_("Bạn thao tác quá nhanh. Vui lòng chờ một lát "
                                           "rồi thử lại."))


# ``2/live,12["join",`: the event name, read from the text when its payload is refused.
_EVENT_NAME = re.compile(r'^[^\[]*\[\s*"([A-Za-z0-9_]{1,64})"\s*,')


class _LimitedJSON:
    """The JSON module python-socketio encodes and decodes packets with."""

    dumps = staticmethod(jsonlimits.dumps)
    loads = staticmethod(jsonlimits.loads)


class LimitedPacket(sio_packet.Packet):
    """A Socket.IO packet whose payload may not nest past :data:`jsonlimits.MAX_DEPTH`:
    an event whose payload does is delivered with ``None`` as its payload, so that its
    handler answers ``bad_request`` through the acknowledgement."""

    json = _LimitedJSON

    def decode(self, encoded_packet):
        try:
            return super().decode(encoded_packet)
        except jsonlimits.TooDeep:
            name = _EVENT_NAME.match(encoded_packet) if isinstance(encoded_packet, str) \
                else None
            if self.packet_type != sio_packet.EVENT or name is None:
                raise
            self.data = [name.group(1), None]
            return 0


def install(server) -> None:
    """Decode the packets of ``server`` (python-socketio) with the nesting limit."""
    server.packet_class = LimitedPacket
