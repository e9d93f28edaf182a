"""Tests of sessions/queue.py: queue order, estimates, transitions and the board."""

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from sessions import queue
from sessions.errors import CoreError
from sessions.queue import Entry, QueueRule

VN = timezone(timedelta(hours=7))
START = datetime(2027, 2, 16, 8, 0, tzinfo=VN)
END = datetime(2027, 2, 16, 11, 30, tzinfo=VN)
SLOT = 20
RULE = QueueRule()


def at(minutes: float) -> datetime:
    """The time ``minutes`` after the session start (negative: before)."""
    return START + timedelta(minutes=minutes)


def make_entry(booking_id: int = 1, **overrides) -> Entry:
    """A waiting citizen of slot ``booking_id``, checked in 30 minutes before the session."""
    values = {
        "ticket": queue.ticket_for(booking_id),
        "slot_start": at((booking_id - 1) * SLOT),
        "checked_in_at": at(-30),
        "state": "waiting",
    }
    values.update(overrides)
    return Entry(booking_id, **values)


def ids(entries) -> list[int]:
    return [entry.booking_id for entry in entries]


def assert_code(excinfo, code: str) -> None:
    assert excinfo.value.code == code
    assert excinfo.value.message  # a Vietnamese sentence, never empty


# --- tickets ---------------------------------------------------------------

@pytest.mark.parametrize(("index", "ticket"), [(1, "001"), (42, "042"), (999, "999"),
                                               (1000, "1000")])
def test_ticket_for_is_zero_padded(index, ticket):
    assert queue.ticket_for(index) == ticket


def test_ticket_for_starts_at_one():
    with pytest.raises(ValueError):
        queue.ticket_for(0)


# --- order -----------------------------------------------------------------

def test_on_time_citizens_are_ordered_by_slot_not_by_arrival():
    entries = [make_entry(3, checked_in_at=at(-50)), make_entry(1, checked_in_at=at(-5)),
               make_entry(2, checked_in_at=at(-20))]
    assert ids(queue.order_waiting(entries, RULE)) == [1, 2, 3]


def test_same_slot_is_ordered_by_check_in_then_booking_id():
    entries = [make_entry(9, slot_start=START, checked_in_at=at(-10)),
               make_entry(8, slot_start=START, checked_in_at=at(-10)),
               make_entry(7, slot_start=START, checked_in_at=at(-5))]
    assert ids(queue.order_waiting(entries, RULE)) == [8, 9, 7]


def test_late_arrival_goes_behind_on_time_citizens_even_with_an_earlier_slot():
    entries = [make_entry(1, checked_in_at=at(11)),   # slot 08:00, 11 minutes late
               make_entry(2, checked_in_at=at(35)),   # slot 08:20, late too, later
               make_entry(5, checked_in_at=at(40))]   # slot 09:20, on time
    assert ids(queue.order_waiting(entries, RULE)) == [5, 1, 2]


@pytest.mark.parametrize(("delay", "late"), [(timedelta(minutes=10), False),
                                             (timedelta(minutes=10, seconds=1), True)])
def test_late_starts_after_late_after_minutes(delay, late):
    assert queue.is_late(make_entry(1, checked_in_at=START + delay), RULE) is late


@pytest.mark.parametrize(("jump", "expected"), [
    (None, [5, 6, 1, 2, 3, 4]),
    (0, [1, 2, 3, 4, 5, 6]),
    (1, [1, 2, 3, 5, 6, 4]),
    (2, [1, 2, 5, 6, 3, 4]),
    (10, [5, 6, 1, 2, 3, 4]),
])
def test_priority_moves_forward_by_the_rule(jump, expected):
    entries = [make_entry(i, priority={"elderly"} if i >= 5 else set()) for i in range(1, 7)]
    assert ids(queue.order_waiting(entries, QueueRule(priority_jump=jump))) == expected


@pytest.mark.parametrize("jump", [None, 2])
def test_priority_never_moves_a_late_citizen_ahead_of_on_time_ones(jump):
    entries = [make_entry(1), make_entry(2),
               make_entry(3, checked_in_at=at(70)),  # slot 08:40, late
               make_entry(4, checked_in_at=at(75), priority={"pregnant"})]  # late too
    assert ids(queue.order_waiting(entries, QueueRule(priority_jump=jump))) == [1, 2, 4, 3]


@pytest.mark.parametrize("seed", range(5))
def test_order_is_the_same_whatever_the_input_order(seed):
    entries = [make_entry(i, checked_in_at=at(-30 + (i * 7) % 50),
                          priority={"merit"} if i % 4 == 0 else set()) for i in range(1, 30)]
    shuffled = entries[:]
    random.Random(seed).shuffle(shuffled)
    rule = QueueRule(priority_jump=2)
    assert queue.order_waiting(shuffled, rule) == queue.order_waiting(entries, rule)


def test_only_waiting_citizens_are_in_the_order():
    entries = [make_entry(1, state="booked", checked_in_at=None), make_entry(2),
               make_entry(3, state="called", called_at=at(0)), make_entry(4, state="done")]
    assert ids(queue.order_waiting(entries, RULE)) == [2]
    assert queue.next_to_call(entries, RULE).booking_id == 2
    assert queue.next_to_call(entries[:1], RULE) is None


# --- estimates -------------------------------------------------------------

@pytest.mark.parametrize(("durations", "expected"), [
    ([], SLOT * 60),                              # no finished case: the slot length
    ([300], 300),
    ([300, 900, 600], 600),                       # the median
    ([5000, 5000, 300, 300, 300, 600, 600], 300),  # only the last five count
    ([30, 40], 120),                              # never below two minutes
    ([7200], 3 * SLOT * 60),                      # never above three slots
])
def test_typical_case_uses_actual_durations(durations, expected):
    assert queue.typical_case_seconds(SLOT, durations) == expected


def test_eta_falls_back_to_slot_length():
    positions = queue.estimate([make_entry(i) for i in range(1, 4)], RULE, at(0), SLOT, [])
    assert [(p.position, p.ahead, p.eta_seconds) for p in positions.values()] == [
        (1, 0, 0), (2, 1, 1200), (3, 2, 2400)]


def test_eta_uses_actual_durations():
    positions = queue.estimate([make_entry(1), make_entry(2)], RULE, at(0), SLOT, [240, 360])
    assert positions[2].eta_seconds == 300


def test_eta_defaults_to_durations_of_done_entries():
    done = [make_entry(i, state="done", started_at=at(i * 10), finished_at=at(i * 10 + 5))
            for i in (1, 2, 3)]
    positions = queue.estimate([*done, make_entry(4), make_entry(5)], RULE, at(40), SLOT)
    assert positions[5].eta_seconds == 300


@pytest.mark.parametrize(("elapsed_minutes", "first_eta"), [(5, 900), (19, 60), (45, 0)])
def test_first_eta_subtracts_the_time_already_spent_in_call(elapsed_minutes, first_eta):
    in_call = make_entry(1, state="in_call", called_at=at(0), started_at=at(0))
    now = at(elapsed_minutes)
    positions = queue.estimate([in_call, make_entry(2), make_entry(3)], RULE, now, SLOT, [])
    assert positions[2].eta_seconds == first_eta
    assert positions[3].eta_seconds == first_eta + SLOT * 60


def test_a_called_citizen_counts_a_whole_case():
    called = make_entry(1, state="called", called_at=at(0))
    positions = queue.estimate([called, make_entry(2)], RULE, at(1), SLOT, [600])
    assert positions[2].eta_seconds == 600


def test_eta_does_not_end_before_the_session_starts():
    positions = queue.estimate([make_entry(1), make_entry(2)], RULE, at(-30), SLOT, [],
                               starts_at=START)
    assert [p.eta_seconds for p in positions.values()] == [1800, 3000]


def test_estimate_reports_called_and_closed_citizens_and_skips_booked_ones():
    entries = [make_entry(1, state="done"), make_entry(2, state="no_show"),
               make_entry(3, state="in_call", called_at=at(0), started_at=at(1)),
               make_entry(4), make_entry(5, state="booked", checked_in_at=None)]
    positions = queue.estimate(entries, RULE, at(2), SLOT, [])
    assert set(positions) == {1, 2, 3, 4}
    assert (positions[3].position, positions[3].eta_seconds, positions[3].state) == (
        0, 0, "in_call")
    assert (positions[4].position, positions[4].state) == (1, "waiting")


def test_position_payload_follows_the_contract():
    payload = queue.estimate([make_entry(1)], RULE, at(0), SLOT, [])[1].payload(7)
    assert payload == {"session_id": 7, "ticket": "001", "position": 1, "ahead": 0,
                       "eta_seconds": 0, "state": "waiting"}


def test_estimate_of_a_thousand_citizens_orders_once_and_reads_the_input_once(monkeypatch):
    calls = []
    original = queue.order_waiting
    monkeypatch.setattr(queue, "order_waiting", lambda *a: calls.append(1) or original(*a))
    in_call = make_entry(1000, state="in_call", called_at=at(0), started_at=at(0))
    entries = (make_entry(i) for i in range(1, 1000))  # a generator: one pass only
    positions = queue.estimate([in_call, *entries], RULE, at(5), SLOT, [600])
    assert len(positions) == 1000 and calls == [1]
    for booking_id in (1, 2, 500, 999):
        position = positions[booking_id]
        assert (position.position, position.ahead) == (booking_id, booking_id - 1)
        assert position.eta_seconds == 300 + (booking_id - 1) * 600


# --- check-in --------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "code"), [(-61, "checkin_not_open"), (-60, None),
                                               (100, None), (210, "session_over")])
def test_check_in_window(minutes, code):
    booked = make_entry(1, state="booked", checked_in_at=None)
    if code is None:
        entry = queue.check_in(booked, at(minutes), RULE, START, END)
        assert (entry.state, entry.checked_in_at) == ("waiting", at(minutes))
        return
    with pytest.raises(CoreError) as excinfo:
        queue.check_in(booked, at(minutes), RULE, START, END)
    assert_code(excinfo, code)


@pytest.mark.parametrize("state", ["waiting", "called", "in_call"])
def test_reconnect_keeps_the_place(state):
    entry = make_entry(1, state=state, called_at=at(1), started_at=at(2))
    assert queue.check_in(entry, at(60), RULE, START, END) is entry


def test_check_in_after_being_done_is_refused():
    with pytest.raises(CoreError) as excinfo:
        queue.check_in(make_entry(1, state="done"), at(60), RULE, START, END)
    assert_code(excinfo, "invalid_state")


def test_no_show_who_comes_back_is_put_at_the_back_once():
    gone = make_entry(1, state="no_show", called_at=at(0), finished_at=at(3))
    back = queue.check_in(gone, at(30), RULE, START, END)
    late = make_entry(2, checked_in_at=at(45))  # late, but arrived after the comeback
    assert ids(queue.order_waiting([back, late, make_entry(9)], RULE)) == [9, 2, 1]
    assert (back.checked_in_at, back.called_at, back.finished_at) == (at(-30), None, None)
    again = queue.mark_no_show(queue.call(back, at(50)), at(53), RULE)
    with pytest.raises(CoreError) as excinfo:
        queue.check_in(again, at(60), RULE, START, END)
    assert_code(excinfo, "already_requeued")


# --- transitions -----------------------------------------------------------

def test_a_case_goes_through_its_states():
    entry = queue.call(make_entry(1), at(0))
    entry = queue.start_call(entry, at(1))
    entry = queue.recall(entry, at(4))
    assert (entry.state, entry.called_at, entry.started_at, entry.recalls) == (
        "called", at(4), None, 1)
    entry = queue.finish(queue.start_call(entry, at(5)), at(15))
    assert (entry.state, entry.started_at, entry.finished_at) == ("done", at(5), at(15))


@pytest.mark.parametrize(("seconds", "code"), [(119, "grace_not_over"), (120, None)])
def test_no_show_only_after_the_grace(seconds, code):
    called = queue.call(make_entry(1), at(0))
    now = at(0) + timedelta(seconds=seconds)
    if code is None:
        assert queue.mark_no_show(called, now, RULE).state == "no_show"
        return
    with pytest.raises(CoreError) as excinfo:
        queue.mark_no_show(called, now, RULE)
    assert_code(excinfo, code)
    assert excinfo.value.params["remaining"] == 1


def test_recall_restarts_the_grace():
    called = queue.recall(queue.call(make_entry(1), at(0)), at(2))
    with pytest.raises(CoreError) as excinfo:
        queue.mark_no_show(called, at(3), RULE)
    assert_code(excinfo, "grace_not_over")


ACTIONS = {
    "call": lambda e: queue.call(e, at(10)),
    "start_call": lambda e: queue.start_call(e, at(10)),
    "recall": lambda e: queue.recall(e, at(10)),
    "mark_no_show": lambda e: queue.mark_no_show(e, at(10), RULE),
    "finish": lambda e: queue.finish(e, at(10)),
    "requeue": lambda e: queue.requeue(e, at(10)),
}
ALLOWED = {"call": {"waiting"}, "start_call": {"called"}, "recall": {"called", "in_call"},
           "mark_no_show": {"called"}, "finish": {"called", "in_call"}, "requeue": {"no_show"}}


@pytest.mark.parametrize(("action", "state"), [
    (action, state) for action in ACTIONS for state in queue.STATES
    if state not in ALLOWED[action]])
def test_invalid_transitions_raise_invalid_state(action, state):
    entry = make_entry(1, state=state, called_at=at(0), started_at=at(1))
    with pytest.raises(CoreError) as excinfo:
        ACTIONS[action](entry)
    assert_code(excinfo, "invalid_state")
    assert excinfo.value.params == {"action": action, "state": state}


# --- board -----------------------------------------------------------------

def test_board_shows_tickets_only():
    entries = [make_entry(7000 + i, ticket=queue.ticket_for(i), slot_start=at(i * SLOT))
               for i in range(1, 9)]
    entries[0] = replace(entries[0], state="in_call", called_at=at(20), started_at=at(21))
    shown = queue.board(entries, RULE, limit=3)
    assert shown == {"now_serving": "001", "next": ["002", "003", "004"]}
    assert "700" not in json.dumps(shown)


def test_board_of_an_empty_room():
    assert queue.board([], RULE) == {"now_serving": None, "next": []}


# --- rule and entry --------------------------------------------------------

@pytest.mark.parametrize(("mode", "jump"), [("front", None), ("off", 0), ("jump:3", 3)])
def test_rule_from_mode_round_trips(mode, jump):
    rule = QueueRule.from_mode(mode, late_after_minutes=15)
    assert (rule.priority_jump, rule.mode, rule.late_after_minutes) == (jump, mode, 15)


@pytest.mark.parametrize(("mode", "values"), [("jump:x", {}), ("first", {}),
                                              ("front", {"late_after_minutes": -1}),
                                              ("front", {"no_show_grace_seconds": 1.5})])
def test_invalid_rule_is_refused(mode, values):
    with pytest.raises(CoreError) as excinfo:
        QueueRule.from_mode(mode, **values)
    assert_code(excinfo, "invalid_rule")


@pytest.mark.parametrize(("jump", "phrase"), [(None, "đầu nhóm"), (2, "tối đa 2 người"),
                                              (0, "Không áp dụng")])
def test_rule_describes_itself_in_vietnamese(jump, phrase):
    text = QueueRule(priority_jump=jump).describe()
    assert phrase in text and "60 phút" in text and "120 giây" in text


def test_rule_description_goes_through_gettext():
    seen = []
    QueueRule().describe("en", gettext=lambda text: seen.append(text) or text)
    assert len(seen) == 4
    with pytest.raises(ValueError):
        QueueRule().describe("en")


@pytest.mark.parametrize("overrides", [{"state": "paused"}, {"priority": {"vip"}},
                                       {"slot_start": datetime(2027, 2, 16, 8)},
                                       {"state": "called"}])
def test_entry_refuses_impossible_values(overrides):
    with pytest.raises(ValueError):
        make_entry(1, **overrides)


def test_ahead_on_arrival_places_absent_citizens_among_each_other():
    waiting = [make_entry(2), make_entry(4)]
    absent = [make_entry(n, state="booked", checked_in_at=None) for n in (1, 3, 5)]
    assert queue.ahead_on_arrival([*waiting, *absent], RULE, at(-5)) == {1: 0, 3: 2, 5: 4}


def test_ahead_on_arrival_puts_late_citizens_after_those_on_time():
    waiting = [make_entry(3), make_entry(4)]
    late = make_entry(1, state="booked", checked_in_at=None)
    assert queue.ahead_on_arrival([*waiting, late], RULE, at(30)) == {1: 2}
    assert queue.ahead_on_arrival(waiting, RULE, at(30)) == {}
