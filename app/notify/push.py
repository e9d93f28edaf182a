"""Web Push (RFC 8030, encrypted per RFC 8291, signed with VAPID per RFC 8292).

A push message of the outbox names its subscription in ``recipient`` as
``push:<subscription id>``; its ``body`` is the JSON the service worker shows
(static/js/live-sw.js): ``{"title", "body", "url", "tag"}``.

The cryptography (``cryptography``, ``pywebpush``) is imported by the two functions that
use it, when they run: a web process of the embedded mode that never sends a push does
not load it (tests/scaleout/test_settings.py).
"""

from __future__ import annotations

import base64
import json

from ..extensions import db
from .models import PushSubscription

PUSH_TIMEOUT_SECONDS = 10
#: Seconds a push service keeps a message for a browser that is offline: after
#: that, the turn has passed anyway.
PUSH_TTL_SECONDS = 30 * 60
#: Push service answers meaning the subscription no longer exists.
GONE_STATUSES = (404, 410)
RECIPIENT_PREFIX = "push:"


class PushGone(Exception):
    """The push service says the subscription is gone: deleted, never retried."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_vapid_keys() -> tuple[str, str]:
    """A fresh VAPID key pair (public, private), base64url: the public key is the
    uncompressed P-256 point the browser subscribes with, the private one the raw
    32-byte scalar."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(public), b64url(private)


def recipient_of(subscription: PushSubscription) -> str:
    return f"{RECIPIENT_PREFIX}{subscription.id}"


def subscription_of(recipient: str) -> PushSubscription | None:
    """The subscription a push message is for; None once it was deleted."""
    number = recipient.removeprefix(RECIPIENT_PREFIX)
    return db.session.get(PushSubscription, int(number)) if number.isdigit() else None


def payload(title: str, body: str, url: str, tag: str) -> str:
    """The JSON the service worker shows as a notification."""
    return json.dumps({"title": title, "body": body, "url": url, "tag": tag},
                      ensure_ascii=False)


class WebPushSender:
    """Encrypts the message to the subscription's keys and POSTs it to its push service,
    with a VAPID ``Authorization`` header; 404/410 raise :class:`PushGone`."""

    def __init__(self, private_key: str, subject: str, timeout: float = PUSH_TIMEOUT_SECONDS):
        self.private_key, self.subject, self.timeout = private_key, subject, timeout

    def send(self, notification) -> None:
        from pywebpush import WebPushException, webpush

        subscription = subscription_of(notification.recipient)
        if subscription is None:
            raise PushGone("the push subscription was deleted")
        info = {"endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            response = webpush(info, data=notification.body, vapid_private_key=self.private_key,
                               vapid_claims={"sub": self.subject}, timeout=self.timeout,
                               ttl=PUSH_TTL_SECONDS, headers={"Urgency": "high"})
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in GONE_STATUSES:
                raise PushGone(f"push service answered HTTP {status}") from None
            raise
        notification.provider_answer = f"HTTP {response.status_code}"
        notification.provider_id = (response.headers.get("Location") or "")[:120]
