"""The OpenID Connect client for VNeID through the national public-service portal
(CONTRACT §7, docs/vneid.md), built on Authlib.

Two halves, both without Flask's session: :func:`begin` makes the authorization URL
(code flow, PKCE S256, ``state``, ``nonce``, ``acr_values``) and the little the browser
must bring back (:class:`Pending`); :func:`finish` checks the callback against it,
exchanges the code, verifies the ID token (signature by the provider's published keys,
issuer, audience, expiry with a clock skew, nonce, ``acr`` when required), fetches the
userinfo and returns the claims. Nothing of the provider's tokens is kept.

Every failure is a CoreError whose code says what went wrong (``oidc_unavailable``,
``oidc_denied``, ``oidc_state``, ``oidc_expired``, ``oidc_invalid``): the web door
shows and audits it (app/auth/vneid_views.py).
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import asdict, dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import current_app
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from sessions.errors import N_, CoreError

#: How long a sign-in may stay at the provider before its callback is refused.
PENDING_SECONDS = 600
#: Clock skew allowed between the provider and this server on the ID token's times.
LEEWAY_SECONDS = 120
#: Seconds for each call to the provider.
TIMEOUT = 10
#: How long the discovery document and the keys are kept before being read again.
METADATA_SECONDS = 3600

_cache: dict[str, tuple[float, dict]] = {}
_cache_lock = threading.Lock()


def enabled() -> bool:
    """Whether sign-in with VNeID is offered (OIDC_ISSUER is set)."""
    return bool(current_app.config.get("OIDC_ISSUER"))


def issuer() -> str:
    return str(current_app.config["OIDC_ISSUER"]).rstrip("/")


def unavailable() -> CoreError:
    return CoreError("oidc_unavailable",
                     N_("Không kết nối được với Cổng dịch vụ công quốc gia để xác thực VNeID. "
                        "Vui lòng thử lại sau ít phút."), status=503)


def invalid() -> CoreError:
    return CoreError("oidc_invalid",
                     N_("Không xác minh được kết quả đăng nhập VNeID. Vui lòng đăng nhập lại."),
                     status=400)


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise unavailable() from None
    if not isinstance(data, dict):
        raise unavailable()
    return data


def _cached(url: str, *, force: bool = False) -> dict:
    with _cache_lock:
        hit = _cache.get(url)
    if hit and not force and time.monotonic() - hit[0] < METADATA_SECONDS:
        return hit[1]
    data = _get_json(url)
    with _cache_lock:
        _cache[url] = (time.monotonic(), data)
    return data


def metadata() -> dict:
    """The provider's discovery document (cached for an hour)."""
    data = _cached(issuer() + "/.well-known/openid-configuration")
    if str(data.get("issuer", "")).rstrip("/") != issuer():
        raise unavailable()  # a document of another issuer: misconfigured
    return data


def _client(redirect_uri: str, meta: dict) -> OAuth2Session:
    config = current_app.config
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return OAuth2Session(config["OIDC_CLIENT_ID"], config.get("OIDC_CLIENT_SECRET"),
                         scope=_scopes(), redirect_uri=redirect_uri,
                         code_challenge_method="S256", token_endpoint_auth_method=method)


def _scopes() -> str:
    scopes = str(current_app.config.get("OIDC_SCOPES") or "openid").split()
    return " ".join(scopes if "openid" in scopes else ["openid", *scopes])


def _acr_values() -> list[str]:
    return str(current_app.config.get("OIDC_ACR_VALUES") or "").split()


@dataclass(frozen=True)
class Pending:
    """What the browser's session keeps between the redirect and the callback."""

    state: str
    nonce: str
    verifier: str
    at: int

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> Pending | None:
        if not isinstance(data, dict):
            return None
        try:
            pending = cls(str(data["state"]), str(data["nonce"]), str(data["verifier"]),
                          int(data["at"]))
        except (KeyError, TypeError, ValueError):
            return None
        return pending


def begin(redirect_uri: str) -> tuple[str, Pending]:
    """The provider's authorization URL for a new sign-in, and what to keep until the
    callback."""
    meta = metadata()
    pending = Pending(generate_token(32), generate_token(32), generate_token(64),
                      int(time.time()))
    extra = {"nonce": pending.nonce}
    if _acr_values():
        extra["acr_values"] = " ".join(_acr_values())
    with _client(redirect_uri, meta) as client:
        url, _state = client.create_authorization_url(
            meta["authorization_endpoint"], state=pending.state, code_verifier=pending.verifier,
            **extra)
    return url, pending


def finish(pending: Pending | None, args, redirect_uri: str) -> dict:
    """The verified claims of the callback whose query is ``args``: the ID token's,
    completed by the userinfo endpoint's for the same ``sub``."""
    state = str(args.get("state") or "")
    if pending is None or not state or not hmac.compare_digest(state, pending.state):
        raise CoreError("oidc_state",
                        N_("Yêu cầu đăng nhập VNeID không hợp lệ hoặc đã được dùng. "
                           "Vui lòng bắt đầu đăng nhập lại."), status=400)
    if time.time() - pending.at > PENDING_SECONDS:
        raise CoreError("oidc_expired",
                        N_("Phiên đăng nhập VNeID đã hết hạn. Vui lòng đăng nhập lại."),
                        status=400)
    error = str(args.get("error") or "")
    if error == "access_denied":
        raise CoreError("oidc_denied",
                        N_("Bạn đã không đồng ý chia sẻ thông tin từ VNeID nên chưa thể đăng "
                           "nhập."), status=403)
    if error:
        raise invalid()
    code = str(args.get("code") or "")
    if not code:
        raise invalid()
    meta = metadata()
    with _client(redirect_uri, meta) as client:
        try:
            token = client.fetch_token(meta["token_endpoint"], code=code,
                                       code_verifier=pending.verifier, timeout=TIMEOUT)
        except requests.RequestException:
            raise unavailable() from None
        except (OAuthError, ValueError):  # the provider refused the code, or answered nonsense
            raise invalid() from None
        claims = verify_id_token(token, pending.nonce, meta)
        if meta.get("userinfo_endpoint"):
            claims = {**claims, **_userinfo(client, meta["userinfo_endpoint"], claims["sub"])}
    return claims


def _userinfo(client: OAuth2Session, url: str, sub: str) -> dict:
    try:
        response = client.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise unavailable() from None
    if not isinstance(data, dict) or data.get("sub") != sub:
        raise invalid()  # OpenID Connect Core §5.3.2: another person's answer
    return data


def _key_set(meta: dict, *, force: bool = False) -> KeySet:
    if not meta.get("jwks_uri"):
        raise unavailable()
    try:
        return KeySet.import_key_set(_cached(meta["jwks_uri"], force=force))
    except (JoseError, ValueError, TypeError, KeyError):
        raise unavailable() from None


def verify_id_token(token: dict, nonce: str, meta: dict, *, now: int | None = None) -> dict:
    """The claims of ``token["id_token"]`` once its signature (the provider's keys, an
    algorithm the provider announces, never ``none``) and its claims (issuer, audience,
    expiry and issue time with :data:`LEEWAY_SECONDS`, ``nonce``, ``at_hash``, ``acr``
    when OIDC_ACR_VALUES is set) are right; else ``oidc_invalid``."""
    raw = token.get("id_token") if isinstance(token, dict) else None
    if not raw:
        raise invalid()
    algorithms = [a for a in meta.get("id_token_signing_alg_values_supported") or ["RS256"]
                  if a != "none"]
    registry = JWSRegistry(algorithms=algorithms)
    keys = _key_set(meta)
    try:
        try:
            decoded = jwt.decode(raw, keys, registry=registry)
        except InvalidKeyIdError:
            # The provider may have rolled its keys: read them once more.
            decoded = jwt.decode(raw, _key_set(meta, force=True), registry=registry)
        options = {"iss": {"essential": True, "value": meta["issuer"]},
                   "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
                   "sub": {"essential": True}}
        if _acr_values():
            options["acr"] = {"essential": True, "values": _acr_values()}
        claims = CodeIDToken(decoded.claims, decoded.header, options,
                             {"nonce": nonce, "client_id": current_app.config["OIDC_CLIENT_ID"],
                              "access_token": token.get("access_token")})
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
    except CoreError:
        raise
    except (JoseError, ValueError, TypeError, KeyError):
        raise invalid() from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise invalid()
    return dict(claims)
