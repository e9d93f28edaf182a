"""Errors of the schedules services, turned into 422 / 409 answers by the views."""

from __future__ import annotations

from sessions.errors import CoreError


class ValidationFailed(Exception):
    """Several invalid fields at once: ``errors`` maps a field name to its CoreError."""

    def __init__(self, errors: dict[str, CoreError]):
        self.errors = dict(errors)
        super().__init__(", ".join(sorted(self.errors)))


class OverlapError(Exception):
    """A session would overlap another non-cancelled session of the same host."""

    def __init__(self, starts_at, other):
        self.starts_at = starts_at  # naive UTC start of the session that would clash
        self.other = other  # the existing ReceptionSession
        super().__init__(f"overlap with session {other.id}")


class InvalidState(Exception):
    """The session is in a state that does not allow the action (409 invalid_state)."""

    def __init__(self, error: CoreError):
        self.error = error
        super().__init__(error.code)
