"""The people of the chaos run: a live room (a host and citizens on real Socket.IO
clients that reconnect by themselves, as the browser's do) and a booking rush (real
HTTP clients that retry with the same Idempotency-Key, honouring Retry-After)."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
import socketio

NS = "/live"


class LiveClient:
    """One person in the room. Joins again after every reconnection (as static/js does)
    and keeps the last ``queue``/``queue_state`` it got and how long it was away."""

    def __init__(self, url: str, token: str, session_id: int):
        self.url, self.session_id = url, session_id
        self.lock = threading.Lock()
        self.last: dict[str, dict] = {}
        self.ticket: str | None = None
        self.down_since: float | None = None
        self.outages: list[float] = []
        self.client = socketio.Client(reconnection=True, reconnection_delay=1,
                                      reconnection_delay_max=5, randomization_factor=0.5)
        self.client.on("connect", self._joined, namespace=NS)
        self.client.on("disconnect", self._lost, namespace=NS)
        for event in ("queue", "queue_state"):
            self.client.on(event, lambda data, e=event: self._keep(e, data), namespace=NS)
        self.client.connect(url, namespaces=[NS], transports=["websocket"],
                            auth={"token": token}, wait_timeout=15)

    def _joined(self) -> None:
        def join():
            try:
                ack = self.client.call("join", {"session_id": self.session_id},
                                       namespace=NS, timeout=10)
            except Exception:  # noqa: BLE001 - the next reconnection joins again
                return
            with self.lock:
                if ack.get("ok") and ack.get("ticket"):
                    self.ticket = self.ticket or ack["ticket"]
                if ack.get("ok") and self.down_since is not None:
                    self.outages.append(time.monotonic() - self.down_since)
                    self.down_since = None

        threading.Thread(target=join, daemon=True).start()

    def _lost(self, *_reason) -> None:
        with self.lock:
            self.down_since = self.down_since or time.monotonic()

    def _keep(self, event: str, data: dict) -> None:
        if data.get("session_id") == self.session_id:
            with self.lock:
                self.last[event] = data

    @property
    def connected(self) -> bool:
        with self.lock:
            return self.client.connected and self.down_since is None

    def call(self, event: str) -> dict:
        return self.client.call(event, {"session_id": self.session_id}, namespace=NS,
                                timeout=10)

    def close(self) -> None:
        try:
            self.client.disconnect()
        except Exception:  # noqa: BLE001, S110 - closing anyway
            pass


class LiveRoom:
    """A host on web process A and citizens dealt to A and B in turn."""

    def __init__(self, urls: dict[str, str], live: dict):
        self.session_id = live["session_id"]
        self.host = LiveClient(urls["a"], live["host_token"], self.session_id)
        self.citizens: dict[str, list[LiveClient]] = {"a": [], "b": []}
        for index, token in enumerate(live["citizen_tokens"]):
            name = "ab"[index % 2]
            self.citizens[name].append(LiveClient(urls[name], token, self.session_id))

    def everyone(self) -> list[LiveClient]:
        return [self.host, *self.citizens["a"], *self.citizens["b"]]

    def places(self) -> dict:
        """The room against the server's truth (the host's queue_state): citizens whose
        own place is missing or wrong, and places held twice."""
        state = self.host.last.get("queue_state") or {}
        waiting = [entry["ticket"] for entry in state.get("waiting", [])]
        current = (state.get("current") or {}).get("ticket")
        wrong, lost = 0, 0
        for citizen in self.citizens["a"] + self.citizens["b"]:
            mine = citizen.last.get("queue") or {}
            if citizen.ticket is None or mine.get("ticket") != citizen.ticket:
                lost += 1
            elif citizen.ticket in waiting:
                wrong += mine.get("position") != waiting.index(citizen.ticket) + 1
            elif citizen.ticket != current and mine.get("state") == "waiting":
                lost += 1  # the server forgot a citizen who thinks they wait
        return {"lost": lost, "wrong": wrong, "duplicated": len(waiting) - len(set(waiting)),
                "waiting": len(waiting)}

    def settled(self) -> bool:
        """Everyone connected and every citizen's place agrees with the host's view."""
        figures = self.places()
        return all(c.connected for c in self.everyone()) and not (
            figures["lost"] or figures["wrong"] or figures["duplicated"])

    def close(self) -> None:
        for client in self.everyone():
            client.close()


@dataclass
class Outcome:
    """What the HTTP clients of a fault saw."""

    statuses: dict[str, int] = field(default_factory=dict)
    clean: int = 0        # 503/507 with Retry-After: a refusal the client can act on
    unclean: int = 0      # any other 5xx (a 500 page, a 502 …)
    refused: int = 0      # no answer at all: the process was gone
    after: int = 0        # 5xx after the fault ended and the site recovered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int | None, retry_after: str | None, recovered: bool) -> None:
        with self.lock:
            key = str(status) if status else "no answer"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if status is None:
                self.refused += 1
            elif status >= 500 and recovered:
                self.after += 1
            elif status in (503, 507) and retry_after:
                self.clean += 1
            elif status >= 500:
                self.unclean += 1


class Rush:
    """Citizens booking the rush session through A and B in turn while a fault runs;
    each retries with the same Idempotency-Key until it gets an answer that is not
    5xx (a well-behaved client: honours Retry-After, at most 1 s here)."""

    def __init__(self, urls: dict[str, str], session_id: int, tokens: list[str],
                 outcome: Outcome, recovered: threading.Event, interval: float):
        self.urls, self.session_id, self.tokens = urls, session_id, tokens
        self.outcome, self.recovered, self.interval = outcome, recovered, interval
        self.booked: dict[str, int] = {}  # token -> booking id the client was given
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Rush:
        self.thread.start()
        return self

    def join(self, timeout: float) -> None:
        if self.thread.ident is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        workers = [threading.Thread(target=self._book, args=(index, token), daemon=True)
                   for index, token in enumerate(self.tokens)]
        for worker in workers:
            worker.start()
            time.sleep(self.interval)
        for worker in workers:
            worker.join(120)

    def _book(self, index: int, token: str) -> None:
        url = self.urls["ab"[index % 2]] + "/api/v1/bookings"
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        body = {"session_id": self.session_id, "consents": {"recording": True},
                "matter": {"type": "kien_nghi", "field": "dat_dai",
                           "summary": f"Kiến nghị số {index} về cấp giấy chứng nhận."}}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                response = requests.post(url, json=body, headers=headers, timeout=15)
            except requests.RequestException:
                self.outcome.note(None, None, self.recovered.is_set())
                time.sleep(0.5)
                continue
            self.outcome.note(response.status_code, response.headers.get("Retry-After"),
                              self.recovered.is_set())
            if response.status_code < 500:
                if response.status_code in (200, 201):
                    self.booked[token] = response.json()["id"]
                return
            time.sleep(min(float(response.headers.get("Retry-After") or 1), 1.0))
