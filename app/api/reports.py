"""/api/v1: reports."""

from __future__ import annotations

from . import bp  # noqa: F401
