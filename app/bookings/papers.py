"""Papers of a booking that the packages above bookings write: form 01/TCD (the written
refusal notice) is built by app/reports/refusal.py, which gives its functions here at
start-up (the reports blueprint), so the bookings page can serve it without importing
upwards (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable

_PROVIDED: dict[str, Callable] = {}


def provide_refusal_notice(export: Callable, filename: Callable) -> None:
    _PROVIDED["export"], _PROVIDED["filename"] = export, filename


def refusal_notice(booking, *, actor) -> bytes:
    """Form 01/TCD of ``booking`` as DOCX (CoreError 409 when it is not due)."""
    return _PROVIDED["export"](booking, actor=actor)


def refusal_notice_filename(booking) -> str:
    return _PROVIDED["filename"](booking)
