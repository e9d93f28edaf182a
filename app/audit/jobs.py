"""Scheduled work of the audit log."""

from __future__ import annotations

from .heads import write_head


def log_head() -> None:
    """Every hour: write the signed head of the audit log to the application log (and
    AUDIT_HEAD_FILE), so that a cut tail or a re-sealed log can be found later."""
    write_head()
