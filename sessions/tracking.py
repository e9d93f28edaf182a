"""Tracking codes given to citizens for a booking (``GET /track/<code>``).

A code is 12 random symbols and one check symbol, shown as ``XXXX-XXXX-XXXXX``
(e.g. ``K7MC-4TXP-9HRBX``) so that it can be read aloud on the phone in groups.

Alphabet (23 symbols): ``23456789BCFGHJKMNPRSTVX``. It leaves out

* ``0 O Q 1 I L U Z``, which are mistaken for one another or for 2;
* every vowel (``A E Y`` as well), so that no code spells a word and Vietnamese
  input methods (Telex turns ``as`` into ``á``, ``dd`` into ``đ``, ``w`` into ``ư``)
  cannot rewrite what a citizen types; ``D`` and ``W`` go for the same reason.

Entropy: 12 symbols drawn with :mod:`secrets` from 23 give 12 * log2(23) ≈ 54.3
bits, so guessing is hopeless even before the rate limit and the phone check of the
tracking page.

Check symbol: positions 1-13 carry weights 1-13 and the weighted sum of the symbol
values must be 0 modulo 23. As 23 is prime and every weight and every difference of
two weights is non-zero modulo 23, this catches every single wrong symbol and every
swap of two different symbols, adjacent or not. A missing or extra symbol changes
the length and is refused too.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "23456789BCFGHJKMNPRSTVX"
RANDOM_LENGTH = 12
CODE_LENGTH = RANDOM_LENGTH + 1
GROUPS = (4, 4, 5)
_MODULUS = len(ALPHABET)  # must stay prime for the guarantees above
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Symbols outside the alphabet read as the one they are mistaken for.
_LOOKALIKES = str.maketrans({"Z": "2"})
_SEPARATORS = " -._"
# Anything much longer than a code is not a code; do not spend time on it.
_MAX_INPUT_LENGTH = 64


def new_tracking_code() -> str:
    """A new random tracking code in its display form, ``XXXX-XXXX-XXXXX``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _group(body + check_symbol(body))


def normalize_tracking_code(text: str) -> str | None:
    """The display form of a typed tracking code, or ``None`` if it is not one.

    Case, spaces, dashes, dots and underscores do not matter, full-width characters
    are read as ASCII and ``Z`` as ``2``. ``None`` when a symbol is outside the
    alphabet, the length is wrong or the check symbol does not match.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT_LENGTH:
        return None
    compact = unicodedata.normalize("NFKC", text).upper().translate(_LOOKALIKES)
    compact = "".join(char for char in compact if char not in _SEPARATORS)
    if len(compact) != CODE_LENGTH or any(char not in _VALUES for char in compact):
        return None
    if _weighted_sum(compact) % _MODULUS != 0:
        return None
    return _group(compact)


def check_symbol(body: str) -> str:
    """The symbol that makes ``body`` + symbol a valid code (``body``: 12 symbols)."""
    weight = len(body) + 1
    # Solve weighted_sum(body) + weight * value ≡ 0 (mod 23) for value.
    value = -_weighted_sum(body) * pow(weight, -1, _MODULUS) % _MODULUS
    return ALPHABET[value]


def _weighted_sum(symbols: str) -> int:
    return sum(position * _VALUES[char] for position, char in enumerate(symbols, 1))


def _group(code: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)
