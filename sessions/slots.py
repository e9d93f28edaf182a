"""Cutting a reception session into booking slots of equal length."""

from __future__ import annotations

from datetime import datetime, timedelta


def _length(slot_minutes: int) -> timedelta:
    if isinstance(slot_minutes, bool) or not isinstance(slot_minutes, int) or slot_minutes <= 0:
        raise ValueError(f"slot_minutes must be a positive integer, got {slot_minutes!r}")
    return timedelta(minutes=slot_minutes)


def cut_slots(
    starts_at: datetime, ends_at: datetime, slot_minutes: int
) -> list[tuple[datetime, datetime]]:
    """``(start, end)`` of each whole slot from ``starts_at`` to ``ends_at``.

    A trailing remainder shorter than a slot is dropped; a session that ends
    before it starts has no slot.
    """
    length = _length(slot_minutes)
    slots = []
    start = starts_at
    while start + length <= ends_at:
        slots.append((start, start + length))
        start += length
    return slots


def slot_index(
    starts_at: datetime,
    slot_start: datetime,
    slot_minutes: int,
    ends_at: datetime | None = None,
) -> int | None:
    """The 0-based number of the slot beginning at ``slot_start``, or ``None``.

    ``None`` when ``slot_start`` is before the session, off a slot boundary, or
    (if ``ends_at`` is given) when the slot would not fit before the end.
    """
    length = _length(slot_minutes)
    offset = slot_start - starts_at
    if offset < timedelta(0) or offset % length:
        return None
    if ends_at is not None and slot_start + length > ends_at:
        return None
    return offset // length
