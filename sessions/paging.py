"""Long lists shown a few days at a time, so that a page stays light on a slow phone.

A list is a sequence of days, each with its items (sessions, free slots). A page holds
whole days: days are added to a page until it holds at least ``size`` items, so a day is
never split between two pages and a page is never empty. Pages are numbered from 1; a
number out of range gives the nearest page, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DayPage:
    """One page of days: its days, its number and the number of pages."""

    days: list
    number: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def page_number(text: Any) -> int:
    """The page asked for in a query string: a positive number, else 1."""
    try:
        number = int(str(text).strip())
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def day_pages(days: Sequence[tuple[Any, Sequence]], size: int,
              weight: Callable[[Sequence], int] = len) -> list[list]:
    """``days`` cut into pages of whole days, each of at least ``size`` items (but the
    last); ``weight(items)`` counts a day's items."""
    pages: list[list] = []
    current: list = []
    held = 0
    for day in days:
        current.append(day)
        held += weight(day[1])
        if held >= size:
            pages.append(current)
            current, held = [], 0
    if current:
        pages.append(current)
    return pages


def page_of_days(days: Sequence[tuple[Any, Sequence]], number: int, size: int,
                 weight: Callable[[Sequence], int] = len) -> DayPage:
    """Page ``number`` (clamped to the pages there are) of ``days``."""
    pages = day_pages(days, size, weight) or [[]]
    number = min(max(number, 1), len(pages))
    return DayPage(pages[number - 1], number, len(pages))
