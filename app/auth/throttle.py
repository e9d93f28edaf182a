"""Login throttling by (account, client address) (CONTRACT §3 and §7).

An account is never locked: a guesser could otherwise keep its owner out all day with
ten requests a period. Instead:

- one address may fail ``PER_ADDRESS`` times for one account in the window; then that
  address gets 429 for that account until the oldest failure leaves the window;
- across all addresses, once an account has failed ``ACCOUNT_CEILING`` times in the
  window (a guesser with many addresses), each address gets only
  ``PER_ADDRESS_UNDER_ATTACK`` failures for it. A fresh address always gets its
  first tries, so the owner signs in from anywhere with the right password;
- a throttled staff member with TOTP still signs in with password and a valid code
  (the caller checks both before answering; any failure then stays a 429).

Counters live in the rate limiter's storage (Redis when the site runs on several
processes), as moving windows, so "10 within 15 minutes" means exactly that. While that
storage is unreachable they are kept in this process's memory, as the limiter's own
limits are (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): a login never fails for it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from sessions.errors import CoreError
from sessions.identity import normalize_phone

from ..extensions import limiter

PER_ADDRESS = parse("10 per 15 minutes")
ACCOUNT_CEILING = parse("30 per 15 minutes")
PER_ADDRESS_UNDER_ATTACK = 3
# Codes sent (a password reset, a new phone-check code) and codes tried, per client
# address and per account named, the web and the API counted together (CONTRACT §3).
CODE_REQUESTS_PER_ADDRESS = "20 per hour"
CODE_REQUESTS_PER_ACCOUNT = "5 per hour"
CODE_TRIES_PER_ADDRESS = "30 per 15 minutes"
CODE_TRIES_PER_ACCOUNT = "10 per 15 minutes"

_strategies: dict[int, MovingWindowRateLimiter] = {}
_in_memory = MovingWindowRateLimiter(MemoryStorage())
log = logging.getLogger(__name__)


def _strategy() -> MovingWindowRateLimiter:
    """A moving-window counter on the limiter's storage (one per storage object)."""
    storage = limiter.storage
    if id(storage) not in _strategies:
        _strategies.clear()  # a new app (tests) brought a new storage
        _strategies[id(storage)] = MovingWindowRateLimiter(storage)
    return _strategies[id(storage)]


def _counted(action: Callable[[MovingWindowRateLimiter], object]):
    """``action`` on the shared counters, or on this process's while they are unreachable."""
    strategy = _strategy()
    try:
        return action(strategy)
    except strategy.storage.base_exceptions as exc:
        log.warning("login counters unreachable, counting in memory: %s", exc)
        return action(_in_memory)


def account_key(user, username: str) -> str:
    """The account's id when it exists (its e-mail and phone are one account), else a
    digest of the username as typed (so unknown names are throttled alike)."""
    if user is not None:
        return f"user:{user.id}"
    name = (username or "").strip().lower().encode()
    return "name:" + hashlib.sha256(name).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class LoginGate:
    """The failure counters of one account seen from one client address."""

    account: str
    address: str

    @property
    def _pair(self) -> tuple[str, ...]:
        return ("login-fail", self.account, self.address)

    @property
    def _whole(self) -> tuple[str, ...]:
        return ("login-fail-account", self.account)

    def wait(self) -> int:
        """Seconds before this address may fail again for this account; 0: it may try."""
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return 0
        return _counted(self._wait)

    def _wait(self, strategy: MovingWindowRateLimiter) -> int:
        reset, remaining = strategy.get_window_stats(PER_ADDRESS, *self._pair)
        failures = PER_ADDRESS.amount - remaining
        allowed = PER_ADDRESS.amount
        if not strategy.test(ACCOUNT_CEILING, *self._whole):
            allowed = PER_ADDRESS_UNDER_ATTACK
        if failures < allowed:
            return 0
        return max(1, math.ceil(reset - time.time()))

    def failed(self) -> None:
        """Count one wrong password or code from this address."""
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return
        _counted(lambda strategy: (strategy.hit(PER_ADDRESS, *self._pair),
                                   strategy.hit(ACCOUNT_CEILING, *self._whole)))


def username_key() -> str:
    """The rate-limit key of the account a password-reset or phone-check request names
    (its ``username`` in the JSON body or the form): a digest of the name, a phone
    number in any accepted form counting as one."""
    data = request.get_json(silent=True) if request.is_json else request.form
    name = data.get("username") if hasattr(data, "get") else None
    name = (name if isinstance(name, str) else "").strip().lower()[:254]
    try:
        name = normalize_phone(name)
    except CoreError:
        pass
    return "account:" + hashlib.sha256(name.encode()).hexdigest()[:32]


def _per_account_and_address(per_account: str, per_address: str, scope: str,
                             methods: list[str] | None):
    """A route limited both per account (the username given) and per client address,
    with limits shared by the web and the API (``scope``)."""
    def decorate(view):
        view = limiter.shared_limit(per_account, scope=f"{scope}-account",
                                    key_func=username_key, methods=methods)(view)
        return limiter.shared_limit(per_address, scope=f"{scope}-address",
                                    methods=methods)(view)
    return decorate


def code_requests(methods: list[str] | None = None):
    """The limits of a route that sends a code, shared by the web and the API."""
    return _per_account_and_address(CODE_REQUESTS_PER_ACCOUNT, CODE_REQUESTS_PER_ADDRESS,
                                    "code-requests", methods)


def code_tries(methods: list[str] | None = None):
    """The limits of a route that checks a code, shared by the web and the API."""
    return _per_account_and_address(CODE_TRIES_PER_ACCOUNT, CODE_TRIES_PER_ADDRESS,
                                    "code-tries", methods)
