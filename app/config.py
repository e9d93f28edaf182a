"""Configuration classes, read from the environment (CONTRACT §1)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "on", "true", "yes"}


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # psycopg 3 is the driver for PostgreSQL: accept the plain scheme people copy.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _json_object(name: str, text: str) -> dict[str, str]:
    """A setting holding a JSON object of strings; a clear error at start-up otherwise."""
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a JSON object: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(v, str | int) for v in value.values()):
        raise RuntimeError(f'{name} must be a JSON object of strings, e.g. '
                           f'{{"booking_received": "123456"}}')
    return {str(k): str(v) for k, v in value.items()}


def _development_secret(name: str = "secret_key") -> str:
    """A secret kept in instance/ so that cookies, tokens and the audit chain's seals
    survive a restart."""
    path = INSTANCE_DIR / name
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    APP_ENV = "development"
    SECRET_KEY: str | None = None
    # The key of the audit log's HMAC chain and of its signed heads: kept outside the
    # database, so that whoever can write the database cannot re-seal the log.
    AUDIT_KEY: str | None = None
    # A file the hourly signed head of the audit log is also appended to (besides the
    # log); `flask audit verify` reads the last head there when given no other.
    AUDIT_HEAD_FILE = os.environ.get("AUDIT_HEAD_FILE") or None
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'tiepdan.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL connections each process keeps open, and how many more it may open for
    # a moment. A fixed pool: under a rush, opening and closing extra connections cost
    # more than waiting for a free one (docs/performance.md).
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
    DATABASE_MAX_OVERFLOW = int(os.environ.get("DATABASE_MAX_OVERFLOW", "0"))
    # Server-side prepared statements on PostgreSQL (app/persistence.py). Off only behind
    # a connection pooler in transaction mode that cannot carry them (PgBouncer before
    # 1.22, or without max_prepared_statements): each statement is then planned at every
    # execution.
    DATABASE_PREPARED_STATEMENTS = _flag("DATABASE_PREPARED_STATEMENTS", "on")
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # The channel of that queue: deployments sharing one Redis keep theirs apart.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio"
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    # Seconds between Engine.IO pings to each connection (below the idle timeout of any
    # proxy on the way; the client's own timeout is this plus 20 s).
    SOCKETIO_PING_INTERVAL = int(os.environ.get("SOCKETIO_PING_INTERVAL", "25"))
    SCHEDULER = _flag("SCHEDULER", "on")
    # A commit that queued messages starts a dispatch run in the background at once
    # (app/notify/prompt.py), besides the scheduler's run every 20 seconds.
    OUTBOX_DISPATCH_ON_COMMIT = _flag("OUTBOX_DISPATCH_ON_COMMIT", "on")
    # A citizen who registers with a phone number confirms it with a code sent by SMS
    # before the account works (app/auth/recovery.py); on in production.
    PHONE_CHECK = _flag("PHONE_CHECK", "off")
    # Events a /live connection may send: a token bucket refilled RATE a second, holding
    # BURST at most, per connection; ``signal`` has its own bucket, as a call sends its ICE
    # candidates at once; and one per client address over all its connections (0 = none),
    # larger, for the citizens behind one carrier NAT or reception point (app/live/door.py).
    LIVE_EVENT_RATE = float(os.environ.get("LIVE_EVENT_RATE", "20"))
    LIVE_EVENT_BURST = float(os.environ.get("LIVE_EVENT_BURST", "40"))
    LIVE_SIGNAL_RATE = float(os.environ.get("LIVE_SIGNAL_RATE", "50"))
    LIVE_SIGNAL_BURST = float(os.environ.get("LIVE_SIGNAL_BURST", "200"))
    LIVE_ADDRESS_RATE = float(os.environ.get("LIVE_ADDRESS_RATE", "100"))
    LIVE_ADDRESS_BURST = float(os.environ.get("LIVE_ADDRESS_BURST", "400"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        os.environ.get("SOCKETIO_MESSAGE_QUEUE") or "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = True
    # While the shared store (Redis) is down, each process counts in its own memory
    # rather than failing the request: limits hold per process until Redis is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Off only for the browser tests, which sign many people in from one address.
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", "on")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "72"))
    # A /live connection's token or web sign-in is checked again at its next event once
    # this many seconds have passed since the last check (at most 60: CONTRACT §7).
    LIVE_AUTH_RECHECK_SECONDS = min(60, int(os.environ.get("LIVE_AUTH_RECHECK_SECONDS", "60")))
    # Case records (bookings with their history, files, minutes) are archival records of
    # the reception and are kept this many years after their last change, also when the
    # citizen asks for deletion; then the retention job anonymises them. DOMAIN.md sets no
    # period: 15 years is a cautious default pending the agency's archival schedule
    # (Law on Archives 33/2024/QH15, Circular 10/2022/TT-BNV) - see docs/security.md.
    RECORD_RETENTION_YEARS = int(os.environ.get("RECORD_RETENTION_YEARS", "15"))
    # Idempotency keys (and web form tokens) only guard against retries: kept this long.
    IDEMPOTENCY_KEY_DAYS = int(os.environ.get("IDEMPOTENCY_KEY_DAYS", "30"))
    SCHEDULE_HORIZON_DAYS = int(os.environ.get("SCHEDULE_HORIZON_DAYS", "400"))
    # Seconds a public schedule page is served from memory to visitors not signed in.
    PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "15"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "no-reply@tiepcongdan.local")
    SMTP_URL = os.environ.get("SMTP_URL") or None
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL") or None
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN") or None
    # SMS keep Vietnamese diacritics (UCS-2) when on; else GSM-7 without them.
    SMS_UNICODE = _flag("SMS_UNICODE", "off")
    # Zalo ZNS (CONTRACT §6): the send endpoint, the Official Account's access token and
    # the template ids by message kind (a JSON object, checked by app/notify/zalo.py).
    ZALO_ZNS_URL = os.environ.get("ZALO_ZNS_URL") or None
    ZALO_OA_ACCESS_TOKEN = os.environ.get("ZALO_OA_ACCESS_TOKEN") or None
    ZALO_ZNS_TEMPLATES = os.environ.get("ZALO_ZNS_TEMPLATES", "")
    # Sign-in with VNeID through the national public-service portal (CONTRACT §7,
    # docs/vneid.md): off while OIDC_ISSUER is unset.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER") or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID") or None
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET") or None
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES") or "openid"
    OIDC_ACR_VALUES = os.environ.get("OIDC_ACR_VALUES") or None
    OIDC_CLAIM_ID_NUMBER = os.environ.get("OIDC_CLAIM_ID_NUMBER") or "SoDinhDanh"
    OIDC_CLAIM_NAME = os.environ.get("OIDC_CLAIM_NAME") or "name"
    OIDC_CLAIM_PHONE = os.environ.get("OIDC_CLAIM_PHONE") or "phone_number"
    SITE_URL = os.environ.get("SITE_URL", "")
    SITE_NAME = os.environ.get("SITE_NAME", "Tiếp công dân trực tuyến")
    # The citizens' hotline shown in every page's footer (a tel: link); empty: not shown.
    HOTLINE = os.environ.get("HOTLINE", "").strip()
    # The deployment's own province (its code, e.g. "08"): the booking starts there.
    HOME_PROVINCE = os.environ.get("HOME_PROVINCE", "")
    # Whether an e-mail address's domain must exist (a DNS query) when one is entered.
    EMAIL_CHECK_DELIVERABILITY = _flag("EMAIL_CHECK_DELIVERABILITY", "off")
    ICE_SERVERS = os.environ.get("ICE_SERVERS", "stun:stun.l.google.com:19302")
    TURN_SECRET = os.environ.get("TURN_SECRET") or None
    TURN_URLS = os.environ.get("TURN_URLS") or None
    EXTERNAL_ROOM_URL = os.environ.get("EXTERNAL_ROOM_URL") or None
    # Web Push ("your turn is near" on the citizen's phone or computer): the VAPID key
    # pair from `flask vapid-keys`, and a contact the push services may write to
    # (mailto: or https:). Without the keys, those messages go by SMS/Zalo and e-mail.
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY") or None
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT") or None
    # How often a process re-marks its waiting-room sockets as present (a process that
    # died stops counting after three times this), and how long a dropped connection
    # still counts as present (app/live/presence.py).
    LIVE_PRESENCE_SECONDS = int(os.environ.get("LIVE_PRESENCE_SECONDS", "60"))
    LIVE_PRESENCE_GRACE_SECONDS = int(os.environ.get("LIVE_PRESENCE_GRACE_SECONDS", "30"))
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "text" or "json" (app/logs.py)
    # Reverse proxies in front (nginx: 1) whose X-Forwarded-For/-Proto/-Host are trusted,
    # so that rate limits, /metrics and the audit log see the client's address.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    SEED_ALLOWED = True


class DevelopmentConfig(Config):
    HOME_PROVINCE = os.environ.get("HOME_PROVINCE", "08")  # the demo province


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    AUDIT_KEY = "testing-audit-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SCHEDULER = False
    OUTBOX_DISPATCH_ON_COMMIT = _flag("OUTBOX_DISPATCH_ON_COMMIT", "off")
    PHONE_CHECK = _flag("PHONE_CHECK", "off")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_PAGE_CACHE_SECONDS = 0


class ProductionConfig(Config):
    APP_ENV = "production"
    RATELIMIT_ENABLED = True
    SEED_ALLOWED = False
    PHONE_CHECK = _flag("PHONE_CHECK", "on")
    EMAIL_CHECK_DELIVERABILITY = _flag("EMAIL_CHECK_DELIVERABILITY", "on")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(overrides: dict | None = None) -> dict:
    """The settings for APP_ENV, with the secret and audit keys resolved and overrides
    applied."""
    overrides = dict(overrides or {})
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "development")
    cls = CONFIGS.get(env)
    if cls is None:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {env!r}")
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    settings.update(overrides)
    if isinstance(settings.get("ZALO_ZNS_TEMPLATES"), str):
        settings["ZALO_ZNS_TEMPLATES"] = _json_object("ZALO_ZNS_TEMPLATES",
                                                      settings["ZALO_ZNS_TEMPLATES"])
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ.get("SECRET_KEY")
    if not settings.get("AUDIT_KEY"):
        settings["AUDIT_KEY"] = os.environ.get("AUDIT_KEY")
    for name, file_name in (("SECRET_KEY", "secret_key"), ("AUDIT_KEY", "audit_key")):
        if not settings[name]:
            if env == "production":
                raise RuntimeError(f"{name} must be set in production")
            settings[name] = _development_secret(file_name)
    return settings
