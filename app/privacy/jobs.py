"""The retention job: anonymise what has passed retention, purge what has expired."""

from __future__ import annotations

import logging

from ..auth.recovery import release_unconfirmed
from . import services

log = logging.getLogger(__name__)


def run_retention() -> None:
    """Safe to run twice: each step only touches rows not yet handled."""
    anonymised = services.anonymise_due()
    purged = services.purge_expired()
    purged["unconfirmed_registrations"] = release_unconfirmed()
    log.info("retention: %d citizens anonymised, purged %s", anonymised, purged)
