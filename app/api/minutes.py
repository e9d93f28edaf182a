"""/api/v1: minutes."""

from __future__ import annotations

from . import bp  # noqa: F401
