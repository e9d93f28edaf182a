"""ICE servers for WebRTC: STUN from ICE_SERVERS, TURN with coturn REST credentials.

coturn's ``use-auth-secret`` scheme: the username is ``"<expiry unix time>:<user id>"``
and the password is base64(HMAC-SHA1(TURN_SECRET, username)); the TURN server
checks both without a database, and the credential stops working at the expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

TURN_TTL_SECONDS = 12 * 3600


def _split(urls: str | None) -> list[str]:
    return [u.strip() for u in (urls or "").split(",") if u.strip()]


def turn_credentials(secret: str, user_id: int, now: int,
                     ttl: int = TURN_TTL_SECONDS) -> tuple[str, str]:
    """(username, credential) valid until ``now + ttl`` for coturn's REST API scheme."""
    username = f"{now + ttl}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config, user_id: int, now: int) -> list[dict]:
    """The RTCPeerConnection ``iceServers`` for ``user_id``.

    ICE_SERVERS is a comma-separated list of STUN/TURN URLs, or a JSON array of
    ready-made ``{"urls", "username"?, "credential"?}`` objects. TURN_URLS and
    TURN_SECRET add a TURN entry with time-limited credentials.
    """
    raw = (config.get("ICE_SERVERS") or "").strip()
    if raw.startswith("["):
        servers = [s for s in json.loads(raw) if isinstance(s, dict) and s.get("urls")]
    else:
        servers = [{"urls": _split(raw)}] if _split(raw) else []
    turn_urls, secret = _split(config.get("TURN_URLS")), config.get("TURN_SECRET")
    if turn_urls and secret:
        username, credential = turn_credentials(secret, user_id, now)
        servers.append({"urls": turn_urls, "username": username, "credential": credential})
    return servers
