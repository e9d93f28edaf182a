"""The live waiting queue of a reception session: order, estimates and transitions.

Pure functions over immutable :class:`Entry` values: the application loads the
entries of one session with one query, calls these functions, saves what changed
and broadcasts. Nothing here reads a clock, a database or a request: ``now`` is
always passed in, and every datetime is timezone-aware.

Queue order (CONTRACT §5, DOMAIN "priority in the queue"), in three groups:

1. citizens who entered the waiting room on time, by slot time;
2. late arrivals (more than ``late_after_minutes`` after their slot), by arrival;
3. citizens put back after a no-show (once only), by the time they came back.

Within each group a priority citizen (elderly, disabled, pregnant, merit to the
revolution) goes ahead of at most ``priority_jump`` citizens without priority, or
to the front of the group when it is ``None``. Priority never moves a citizen into
an earlier group: being late must not pay off.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from operator import itemgetter

from sessions.errors import N_, CoreError

PRIORITY_FLAGS = ("elderly", "disabled", "pregnant", "merit")
PRIORITY_LABELS = {
    "elderly": N_("Người cao tuổi"),
    "disabled": N_("Người khuyết tật"),
    "pregnant": N_("Phụ nữ mang thai"),
    "merit": N_("Người có công với cách mạng"),
}


class QueueState(StrEnum):
    """Where a citizen stands in the queue; the ``queue_entries.state`` column stores these
    strings (app/live/models.py). Defined here because the queue rules are pure."""

    BOOKED = "booked"
    WAITING = "waiting"
    CALLED = "called"
    IN_CALL = "in_call"
    DONE = "done"
    NO_SHOW = "no_show"


STATES = tuple(QueueState)
ACTIVE_STATES = (QueueState.CALLED, QueueState.IN_CALL)
RECENT_CASES = 5
MIN_CASE_SECONDS = 120
MAX_CASE_SLOTS = 3

# Fields an entry must carry in a given state (a missing one is a bug upstream).
_REQUIRED = {
    QueueState.WAITING: ("checked_in_at",),
    QueueState.CALLED: ("checked_in_at", "called_at"),
    QueueState.IN_CALL: ("checked_in_at", "called_at", "started_at"),
}

# action -> (states it may start from, message when it may not)
_TRANSITIONS = {
    "check_in": ((QueueState.BOOKED, QueueState.NO_SHOW),
                 N_("Lượt tiếp của công dân đã kết thúc, không thể vào lại hàng chờ.")),
    "call": ((QueueState.WAITING,), N_("Chỉ có thể gọi công dân đang chờ.")),
    "start_call": ((QueueState.CALLED,),
                   N_("Chỉ có thể bắt đầu cuộc gọi với công dân đã được gọi.")),
    "recall": (ACTIVE_STATES,
               N_("Chỉ có thể gọi lại công dân đã được gọi hoặc đang trong cuộc gọi.")),
    "mark_no_show": ((QueueState.CALLED,), N_("Chỉ có thể đánh dấu vắng mặt công dân đã "
                                     "được gọi mà chưa vào cuộc gọi.")),
    "finish": (ACTIVE_STATES, N_("Chỉ có thể kết thúc lượt tiếp của công dân đã "
                                 "được gọi hoặc đang trong cuộc gọi.")),
    "requeue": ((QueueState.NO_SHOW,),
                N_("Chỉ có thể xếp lại hàng chờ cho công dân đã bị đánh dấu vắng mặt.")),
}


@dataclass(frozen=True)
class Entry:
    """One accepted booking of the session as the queue sees it."""

    booking_id: int
    ticket: str
    slot_start: datetime
    checked_in_at: datetime | None = None
    priority: frozenset[str] = frozenset()
    state: str = QueueState.BOOKED
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    requeued_at: datetime | None = None

    def __post_init__(self):
        object.__setattr__(self, "priority", frozenset(self.priority))
        if self.state not in STATES:
            raise ValueError(f"unknown queue state {self.state!r}")
        if unknown := self.priority - set(PRIORITY_FLAGS):
            raise ValueError(f"unknown priority flags {sorted(unknown)}")
        for name in _ENTRY_FIELDS:
            value = getattr(self, name)
            if isinstance(value, datetime) and value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware")
        for name in _REQUIRED.get(self.state, ()):
            if getattr(self, name) is None:
                raise ValueError(f"a {self.state} entry needs {name}")

    @property
    def is_priority(self) -> bool:
        """Whether the citizen has at least one priority flag."""
        return bool(self.priority)


#: Field names of Entry, read once (``fields()`` on every entry showed in join storms).
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass(frozen=True)
class QueueRule:
    """A unit's queue rule (editable by its admin, shown to its secretaries)."""

    checkin_opens_minutes: int = 60
    late_after_minutes: int = 10
    priority_jump: int | None = None
    no_show_grace_seconds: int = 120

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "priority_jump":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CoreError(
                    "invalid_rule",
                    N_("Giá trị “{name}” của quy tắc hàng chờ phải là số nguyên không âm."),
                    field=f.name, name=f.name,
                )

    @classmethod
    def from_mode(cls, mode: str, **values) -> QueueRule:
        """Build a rule from a stored priority mode: ``front``, ``off`` or ``jump:N``."""
        if mode == "front":
            return cls(priority_jump=None, **values)
        if mode == "off":
            return cls(priority_jump=0, **values)
        if mode.startswith("jump:") and mode[5:].isdigit():
            return cls(priority_jump=int(mode[5:]), **values)
        raise CoreError("invalid_rule",
                        N_("Chế độ ưu tiên “{mode}” không hợp lệ (front, off hoặc jump:N)."),
                        field="priority_mode", mode=mode)

    @cached_property
    def late_after(self) -> timedelta:
        """``late_after_minutes`` as a duration (read once per entry in every sort)."""
        return timedelta(minutes=self.late_after_minutes)

    @property
    def mode(self) -> str:
        """The priority mode as stored: ``front``, ``off`` or ``jump:N``."""
        if self.priority_jump is None:
            return "front"
        return f"jump:{self.priority_jump}" if self.priority_jump else "off"

    def describe(self, lang: str = "vi", gettext: Callable[[str], str] | None = None) -> str:
        """The rule in plain words for secretaries and citizens.

        The core writes Vietnamese (``lang="vi"``); the application passes its
        ``gettext`` to have the same ``N_`` sentences translated for another locale.
        """
        if lang != "vi" and gettext is None:
            raise ValueError("only 'vi' is built in; pass gettext for other languages")
        t = gettext or (lambda text: text)
        return " ".join([
            t(N_("Phòng chờ mở trước giờ bắt đầu buổi tiếp {minutes} phút.")).format(
                minutes=self.checkin_opens_minutes),
            t(N_("Công dân vào phòng chờ đúng giờ được xếp theo giờ hẹn; người vào muộn "
                 "hơn giờ hẹn quá {minutes} phút được xếp sau tất cả người đến đúng giờ, "
                 "theo thứ tự vào phòng chờ.")).format(minutes=self.late_after_minutes),
            self._describe_priority(t),
            t(N_("Công dân đã được gọi mà không vào cuộc gọi sau {seconds} giây có thể bị "
                 "đánh dấu vắng mặt; nếu vào lại sau đó, công dân được xếp một lần vào "
                 "cuối hàng chờ.")).format(seconds=self.no_show_grace_seconds),
        ])

    def _describe_priority(self, t: Callable[[str], str]) -> str:
        if self.priority_jump == 0:
            return t(N_("Không áp dụng thứ tự ưu tiên."))
        if self.priority_jump is None:
            return t(N_("Người cao tuổi, người khuyết tật, phụ nữ mang thai và người có "
                        "công với cách mạng được xếp lên đầu nhóm của mình."))
        return t(N_("Người cao tuổi, người khuyết tật, phụ nữ mang thai và người có công "
                    "với cách mạng được xếp lên trước tối đa {count} người không thuộc "
                    "diện ưu tiên trong nhóm của mình.")).format(count=self.priority_jump)


@dataclass(frozen=True)
class Position:
    """What one citizen is told about their place (the ``queue`` event)."""

    booking_id: int
    ticket: str
    position: int
    ahead: int
    eta_seconds: int
    state: str

    def payload(self, session_id: int) -> dict:
        """The CONTRACT §5 ``queue`` payload (no booking id: the citizen knows it)."""
        return {"session_id": session_id, "ticket": self.ticket, "position": self.position,
                "ahead": self.ahead, "eta_seconds": self.eta_seconds, "state": self.state}


def ticket_for(index_in_session: int) -> str:
    """The ticket of the ``index_in_session``-th booking (1-based): ``"001"``, ``"042"``."""
    if index_in_session < 1:
        raise ValueError("tickets are numbered from 1")
    return f"{index_in_session:03d}"


def is_late(entry: Entry, rule: QueueRule) -> bool:
    """Whether the citizen entered the waiting room too late to keep their slot's place."""
    if entry.checked_in_at is None:
        return False
    return entry.checked_in_at > entry.slot_start + rule.late_after


def _base_key(entry: Entry, rule: QueueRule) -> tuple:
    """Group, then order within the group, before priority is applied."""
    if entry.requeued_at is not None:
        return (2, entry.requeued_at, entry.checked_in_at, entry.booking_id)
    if is_late(entry, rule):
        return (1, entry.checked_in_at, entry.slot_start, entry.booking_id)
    return (0, entry.slot_start, entry.checked_in_at, entry.booking_id)


def order_waiting(entries: Iterable[Entry], rule: QueueRule) -> list[Entry]:
    """The waiting citizens in queue order (the same whatever the input order).

    A priority citizen with ``k`` citizens without priority ahead of them in their
    group is placed before the one at rank ``max(k - priority_jump, 0)``; priority
    citizens keep their relative order. Two sorts, no quadratic insertion.
    """
    base = sorted(((_base_key(e, rule), e) for e in entries if e.state == QueueState.WAITING),
                  key=itemgetter(0))
    decorated, group, plain = [], None, 0
    for index, (key, entry) in enumerate(base):
        if key[0] != group:
            group, plain = key[0], 0
        if entry.is_priority:
            jump = plain if rule.priority_jump is None else rule.priority_jump
            decorated.append(((group, max(plain - jump, 0), 0, index), entry))
        else:
            decorated.append(((group, plain, 1, index), entry))
            plain += 1
    decorated.sort(key=itemgetter(0))
    return [entry for _, entry in decorated]


def next_to_call(entries: Iterable[Entry], rule: QueueRule) -> Entry | None:
    """The citizen the host calls next, or ``None`` when nobody is waiting."""
    ordered = order_waiting(entries, rule)
    return ordered[0] if ordered else None


def typical_case_seconds(slot_minutes: int, durations_seconds: Sequence[float]) -> float:
    """How long the next case will probably take, in seconds.

    The median of the host's last five finished cases in this session (oldest
    first): recent, so it follows today's pace, and a median, so one long heated
    case does not move everyone's estimate. Clamped to [2 minutes, 3 slots] so that
    a run of quick redirections never promises impossible waits nor one stuck case
    frightening ones. Without any finished case: the slot length.
    """
    if slot_minutes <= 0:
        raise ValueError("slot_minutes must be positive")
    slot = slot_minutes * 60.0
    recent = [d for d in durations_seconds if d > 0][-RECENT_CASES:]
    if not recent:
        return slot
    return min(max(statistics.median(recent), MIN_CASE_SECONDS), MAX_CASE_SLOTS * slot)


def _split(entries: Iterable[Entry]) -> tuple[list, list, list]:
    """One pass: waiting entries, called/in-call/closed ones, (finished_at, duration)."""
    waiting, others, finished = [], [], []
    for entry in entries:
        if entry.state == QueueState.WAITING:
            waiting.append(entry)
        elif entry.state != QueueState.BOOKED:
            others.append(entry)
            if entry.state == QueueState.DONE and entry.started_at and entry.finished_at:
                seconds = (entry.finished_at - entry.started_at).total_seconds()
                finished.append((entry.finished_at, seconds))
    return waiting, others, finished


def _first_wait(active: Iterable[Entry], case: float, now: datetime,
                starts_at: datetime | None) -> float:
    """Seconds until the first waiting citizen can be called."""
    remaining = 0.0
    for entry in active:
        if entry.state == QueueState.IN_CALL:
            remaining += max(case - (now - entry.started_at).total_seconds(), 0.0)
        elif entry.state == QueueState.CALLED:
            remaining += case
    until_start = (starts_at - now).total_seconds() if starts_at else 0.0
    return max(remaining, until_start, 0.0)


def estimate(entries: Iterable[Entry], rule: QueueRule, now: datetime, slot_minutes: int,
             durations_seconds: Sequence[float] | None = None, *,
             starts_at: datetime | None = None) -> dict[int, Position]:
    """Every checked-in citizen's place and estimated wait, in one pass.

    Keyed by booking id, waiting citizens first in queue order, then the others
    (called, in call, done, no-show) with position, ahead and eta 0. Booked
    citizens who have not checked in are left out. ``durations_seconds`` (oldest
    first) defaults to the done entries' own call durations. ``starts_at``, when
    given, keeps estimates from ending before the session starts.
    """
    waiting, others, finished = _split(entries)
    if durations_seconds is None:
        durations_seconds = [seconds for _, seconds in sorted(finished, key=itemgetter(0))]
    case = typical_case_seconds(slot_minutes, durations_seconds)
    first = _first_wait(others, case, now, starts_at)
    result = {}
    for ahead, entry in enumerate(order_waiting(waiting, rule)):
        result[entry.booking_id] = Position(entry.booking_id, entry.ticket, ahead + 1,
                                            ahead, round(first + ahead * case), QueueState.WAITING)
    for entry in others:
        result[entry.booking_id] = Position(entry.booking_id, entry.ticket, 0, 0, 0,
                                            entry.state)
    return result


def board(entries: Iterable[Entry], rule: QueueRule, limit: int = 5, *,
          positions: dict[int, Position] | None = None) -> dict:
    """The public display: the ticket being served and the next tickets, nothing else.

    ``positions``, when given, is :func:`estimate`'s result for the same entries: its
    waiting citizens are already in queue order, so they are not sorted again.
    """
    entries = list(entries)
    active = [e for e in entries if e.state in ACTIVE_STATES]
    serving = max(active, key=lambda e: (e.called_at, e.booking_id), default=None)
    if positions is None:
        upcoming = [e.ticket for e in order_waiting(entries, rule)[:limit]]
    else:
        upcoming = [p.ticket for p in positions.values() if p.state == QueueState.WAITING][:limit]
    return {"now_serving": serving.ticket if serving else None, "next": upcoming}


def _require(entry: Entry, action: str) -> None:
    allowed, message = _TRANSITIONS[action]
    if entry.state not in allowed:
        raise CoreError("invalid_state", message, field="state",
                        action=action, state=entry.state)


def check_in(entry: Entry, now: datetime, rule: QueueRule, session_starts_at: datetime,
             session_ends_at: datetime) -> Entry:
    """The citizen enters the waiting room (every ``join`` of a citizen calls this).

    Idempotent for a citizen already waiting, called or in call: a reconnect keeps
    the original ``checked_in_at`` and so the place. A no-show who comes back is
    put at the back once (:func:`requeue`). Done citizens raise ``invalid_state``.
    """
    if entry.state in (QueueState.WAITING, *ACTIVE_STATES):
        return entry
    _require(entry, "check_in")
    opens = session_starts_at - timedelta(minutes=rule.checkin_opens_minutes)
    if now < opens:
        raise CoreError("checkin_not_open",
                        N_("Phòng chờ chỉ mở trước giờ bắt đầu buổi tiếp {minutes} phút."),
                        minutes=rule.checkin_opens_minutes, opens_at=opens.isoformat())
    if now >= session_ends_at:
        raise CoreError("session_over", N_("Buổi tiếp công dân đã kết thúc."))
    if entry.state == QueueState.NO_SHOW:
        return requeue(entry, now)
    return replace(entry, state=QueueState.WAITING, checked_in_at=now)


def call(entry: Entry, now: datetime) -> Entry:
    """The host calls a waiting citizen."""
    _require(entry, "call")
    return replace(entry, state=QueueState.CALLED, called_at=now)


def start_call(entry: Entry, now: datetime) -> Entry:
    """The called citizen has joined the video call."""
    _require(entry, "start_call")
    return replace(entry, state=QueueState.IN_CALL, started_at=now)


def recall(entry: Entry, now: datetime) -> Entry:
    """Call the citizen again (no answer, or the call dropped); restarts the grace."""
    _require(entry, "recall")
    return replace(entry, state=QueueState.CALLED, called_at=now, started_at=None,
                   recalls=entry.recalls + 1)


def mark_no_show(entry: Entry, now: datetime, rule: QueueRule) -> Entry:
    """A called citizen did not come; allowed once the grace since the last call is over."""
    _require(entry, "mark_no_show")
    elapsed = (now - entry.called_at).total_seconds()
    if elapsed < rule.no_show_grace_seconds:
        raise CoreError("grace_not_over",
                        N_("Công dân mới được gọi; chỉ được đánh dấu vắng mặt sau {seconds} "
                           "giây (còn {remaining} giây)."),
                        seconds=rule.no_show_grace_seconds,
                        remaining=math.ceil(rule.no_show_grace_seconds - elapsed))
    return replace(entry, state=QueueState.NO_SHOW, finished_at=now)


def finish(entry: Entry, now: datetime) -> Entry:
    """The host ends the citizen's case."""
    _require(entry, "finish")
    return replace(entry, state=QueueState.DONE, finished_at=now)


def requeue(entry: Entry, now: datetime) -> Entry:
    """Put a no-show who arrived after all at the back of the queue, once only.

    Once, because a citizen who lets the call pass twice would otherwise hold
    back everyone behind them; after that the secretary arranges another booking.
    """
    _require(entry, "requeue")
    if entry.requeued_at is not None:
        raise CoreError("already_requeued",
                        N_("Công dân đã được xếp lại hàng chờ một lần sau khi vắng mặt, "
                           "không thể xếp lại lần nữa."))
    return replace(entry, state=QueueState.WAITING, requeued_at=now, called_at=None,
                   started_at=None, finished_at=None)


def ahead_on_arrival(entries: Iterable[Entry], rule: QueueRule, now: datetime) -> dict[int, int]:
    """For each citizen not yet in the waiting room (``booked``), how many citizens would
    be ahead of them if everyone not yet in came in at ``now``: the waiting ones and the
    absent ones placed before them (so that an empty waiting room does not tell every
    absent citizen at once that their turn is near). One sort for all."""
    entries = list(entries)
    arrivals = [replace(e, state=QueueState.WAITING, checked_in_at=now)
                for e in entries if e.state == QueueState.BOOKED]
    if not arrivals:
        return {}
    absent = {e.booking_id for e in arrivals}
    waiting = [e for e in entries if e.state == QueueState.WAITING]
    return {entry.booking_id: ahead
            for ahead, entry in enumerate(order_waiting([*waiting, *arrivals], rule))
            if entry.booking_id in absent}
