"""JSON read with a nesting limit: request bodies (every view) and /live packets.

Python's parser recurses once per level: a 50,000-deep body such as ``[[[[...]]]]``
(100 KB) raised RecursionError, which is not the ValueError Flask turns into 400, so
it was a 500 on every JSON route. No payload of the API or of /live nests deeper than
a few levels; past :data:`MAX_DEPTH` the text is refused as malformed.
"""

from __future__ import annotations

import json

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32


class TooDeep(ValueError):
    """JSON nested deeper than :data:`MAX_DEPTH` (a ValueError: malformed input)."""


def _too_deep(value, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


def loads(text, **kwargs):
    """``json.loads`` refusing (TooDeep) text nested past :data:`MAX_DEPTH`."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if isinstance(value, dict | list) and _too_deep(value, MAX_DEPTH):
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def dumps(value, **kwargs) -> str:
    return json.dumps(value, **kwargs)


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON with the nesting limit on reading: ``request.get_json()`` answers
    400 (or None when ``silent``) for a body nested too deep, as for any bad JSON."""

    def loads(self, s, **kwargs):
        return loads(s, **kwargs)
