"""Errors raised by the core, carrying a code the application translates."""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a message for extraction without translating it (the app translates)."""
    return text


class CoreError(ValueError):
    """A rule of the core was broken by the input.

    ``code`` is a stable snake_case identifier, ``field`` names the input at fault
    (or ``None``), ``message`` is the Vietnamese source text (a msgid marked with
    ``N_`` so that Babel extracts it) with ``{name}`` placeholders filled from
    ``params``.
    """

    def __init__(self, code: str, message: str, field: str | None = None, **params):
        self.code = code
        self.field = field
        self.template = message
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    def translated(self, gettext) -> str:
        """The message translated by ``gettext`` (the application's), then filled in."""
        text = gettext(self.template)
        return text.format(**self.params) if self.params else text
