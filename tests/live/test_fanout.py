"""app/live/fanout.py: the Redis queue manager comes back quickly after an outage and
re-sends every place it holds, since notices published meanwhile were lost."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.live import fanout


class FakePubSub:
    """Yields the messages given, then fails as a dropped Redis connection does."""

    def __init__(self, messages):
        self.messages = messages

    def subscribe(self, channel):
        self.channel = channel

    def listen(self):
        yield from self.messages
        raise ConnectionError("Connection closed by server.")


@pytest.fixture
def manager(monkeypatch):
    """A Redis queue manager whose Redis fails five times between two good connections."""
    manager = fanout.client_manager("redis://127.0.0.1:1/0", app=None)
    outcomes = iter([["before"], *[ConnectionError("refused")] * 5, ["after"]])

    def connect():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        manager.pubsub = FakePubSub([{"channel": b"flask-socketio", "type": "message",
                                      "data": outcome[0]}])

    manager._redis_connect = connect
    manager.sleeps, manager.tasks = [], []
    monkeypatch.setattr(fanout.time, "sleep", manager.sleeps.append)
    manager.server = SimpleNamespace(
        start_background_task=lambda fn, *args: manager.tasks.append((fn.__name__, args)))
    manager.rooms = {"/live": {"session:7:citizens": {}, "user:3:session:9": {},
                               "session:7:host": {}, None: {}, "lobby": {}}}
    return manager


def test_the_listener_retries_at_most_every_two_seconds(manager):
    messages = manager._redis_listen_with_retries()
    assert next(messages)["data"] == "before"
    assert next(messages)["data"] == "after"
    assert len(manager.sleeps) == 6 and max(manager.sleeps) <= fanout.RETRY_CAP_SECONDS <= 2


def test_after_an_outage_every_session_held_here_is_sent_again(manager):
    messages = manager._redis_listen_with_retries()
    next(messages)
    assert manager.tasks == []  # the first connection is no recovery
    next(messages)
    assert sorted(manager.tasks) == [("_send_local", (7,)), ("_send_local", (9,))]
