"""Accent-insensitive trigram similarity of two texts, as PostgreSQL's ``pg_trgm`` with
``unaccent`` computes it: the portable fallback of the search for similar cases.

``similarity(a, b)`` is the number of trigrams the two texts share divided by the number
of distinct trigrams of both (Jaccard), each text first folded to lower case without
diacritics (``đ`` → ``d``), then cut into words of letters and digits, each word padded
with two spaces in front and one behind: ``"đất"`` → ``{"  d", " da", "dat", "at "}``.
"""

from __future__ import annotations

import re
import unicodedata

#: pg_trgm's default ``similarity_threshold``: pairs at or above it are similar.
SIMILARITY_THRESHOLD = 0.3

_WORD = re.compile(r"[^\W_]+")
# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})


def fold_accents(text: str) -> str:
    """``"Đất đai LẤN chiếm"`` → ``"dat dai lan chiem"``: lower case, no diacritics."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def trigrams(text: str) -> frozenset[str]:
    """The trigrams of ``text`` after :func:`fold_accents`, as pg_trgm forms them."""
    found: set[str] = set()
    for word in _WORD.findall(fold_accents(text)):
        padded = f"  {word} "
        found.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(first: str | frozenset[str], second: str | frozenset[str]) -> float:
    """Shared trigrams over all trigrams of both texts (0.0 when either has none);
    either argument may be a text or its :func:`trigrams`."""
    a = first if isinstance(first, frozenset) else trigrams(first)
    b = second if isinstance(second, frozenset) else trigrams(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
