"""Tests of sessions/slots.py: cutting sessions into slots and finding a slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from sessions.slots import cut_slots, slot_index

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2027, 2, 16, 8, 0, tzinfo=HCM)
END = datetime(2027, 2, 16, 11, 30, tzinfo=HCM)


def at(hour: int, minute: int = 0) -> datetime:
    return START.replace(hour=hour, minute=minute)


@pytest.mark.parametrize(
    ("minutes", "count", "last_end"),
    [(20, 10, at(11, 20)), (30, 7, END), (210, 1, END), (15, 14, END)],
)
def test_cut_slots(minutes, count, last_end):
    slots = cut_slots(START, END, minutes)
    assert len(slots) == count
    assert slots[0] == (START, START + timedelta(minutes=minutes))
    assert slots[-1][1] == last_end
    assert all(a[1] == b[0] for a, b in pairwise(slots))


@pytest.mark.parametrize("end", [START, START - timedelta(hours=1), START + timedelta(minutes=19)])
def test_no_slot_in_a_session_shorter_than_a_slot(end):
    assert cut_slots(START, end, 20) == []


def test_slots_keep_the_time_zone():
    assert all(s.tzinfo is HCM and e.tzinfo is HCM for s, e in cut_slots(START, END, 20))


@pytest.mark.parametrize("minutes", [0, -20, True, 20.0, None])
def test_slot_length_must_be_a_positive_integer(minutes):
    with pytest.raises(ValueError):
        cut_slots(START, END, minutes)


@pytest.mark.parametrize(
    ("slot_start", "ends_at", "expected"),
    [
        (at(8), None, 0),
        (at(8, 20), None, 1),
        (at(11, 0), END, 9),
        (at(11, 20), None, 10),  # without an end, any boundary after the start
        (at(11, 20), END, None),  # the remainder 11:20–11:30 is no slot
        (at(8, 10), None, None),
        (at(7, 40), None, None),
        (at(8, 20) + timedelta(seconds=1), None, None),
        (datetime(2027, 2, 16, 1, 40, tzinfo=UTC), END, 2),  # 08:40 local
    ],
)
def test_slot_index(slot_start, ends_at, expected):
    assert slot_index(START, slot_start, 20, ends_at) == expected


def test_slot_index_finds_every_cut_slot():
    slots = cut_slots(START, END, 25)
    assert [slot_index(START, s, 25, END) for s, _ in slots] == list(range(len(slots)))
