"""Statuses, states, kinds and modes are written as their StrEnum members, never as bare
strings (docs/architecture.md: "Statuses and modules by their domain word").

The same word means different things ("accepted" is a booking's and a task's status,
"cancelled" a booking's and a session's, "no_show" a booking's status and a queue
state): a member says which one is meant. The test reads app/ and sessions/ with
``ast`` and fails on a string equal to a member's value where a status is compared or
set:

* an operand of a comparison, alone or in a tuple, list or set (``x.status == "held"``,
  ``state in ("booked", "waiting")``);
* an argument of ``.in_()`` / ``.notin_()`` (SQL filters);
* the value of a keyword argument named like a status column (``status="accepted"``);
* a value assigned to an attribute named like one (``booking.status = "cancelled"``,
  also in ``a.status, a.at = "held", now``);
* a value under such a key in a dict literal (rows of a bulk insert).

The enum classes themselves are where the strings live; their bodies are not read.
"""

from __future__ import annotations

import ast
import re
from enum import StrEnum
from pathlib import Path

import pytest

import app
from app.bookings.models import Booking, BookingStatus, MatterField, MatterType
from app.live.models import QueueEntry, Recording, RecordingStatus
from app.minutes.models import Minutes, Outcome
from app.notify.models import OutboxState
from app.schedules.models import ReceptionSession, SessionKind, SessionStatus
from app.tasks.models import Task
from sessions.queue import QueueState
from sessions.recurrence import HolidayPolicy, SessionMode
from sessions.tasks import TaskStatus

ENUMS: tuple[type[StrEnum], ...] = (
    BookingStatus, MatterType, MatterField, TaskStatus, QueueState, SessionStatus,
    SessionKind, SessionMode, HolidayPolicy, RecordingStatus, Outcome, OutboxState,
)
# value -> the enums that have it ("accepted": BookingStatus or TaskStatus...)
VALUES: dict[str, list[str]] = {}
for _enum in ENUMS:
    for _member in _enum:
        VALUES.setdefault(_member.value, []).append(_enum.__name__)
# Attribute, keyword and dict-key names that hold one of these values.
FIELDS = {
    "status", "state", "kind", "mode", "outcome", "matter_type", "matter_field",
    "holiday_policy", "from_status", "to_status", "from_state", "to_state",
}
ROOTS = (Path(app.__file__).parent, Path(app.__file__).parent.parent / "sessions")
ENUM_BASES = {"StrEnum", "Enum"}


def _strings(node: ast.AST):
    """String constants of ``node``, looking into a tuple, list or set."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            yield from _strings(element)


def _assigned(node: ast.Assign | ast.AnnAssign):
    """Values assigned to a status-like attribute, pairing ``a.x, b = v, w`` one by one."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Attribute) and target.attr in FIELDS:
            yield node.value
        elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                and len(target.elts) == len(node.value.elts):
            for part, value in zip(target.elts, node.value.elts, strict=True):
                if isinstance(part, ast.Attribute) and part.attr in FIELDS:
                    yield value


def _status_places(node: ast.AST):
    """The expressions of ``node`` where a status value would be compared or set."""
    if isinstance(node, ast.Compare):
        yield node.left
        yield from node.comparators
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("in_", "notin_"):
        yield from node.args
    elif isinstance(node, ast.keyword) and node.arg in FIELDS:
        yield node.value
    elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        yield from _assigned(node)
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in FIELDS:
                yield value


def _is_enum_class(node: ast.AST) -> bool:
    return isinstance(node, ast.ClassDef) and any(
        getattr(base, "id", getattr(base, "attr", None)) in ENUM_BASES for base in node.bases)


def _walk(node: ast.AST):
    """``ast.walk`` that does not enter the body of an enum class."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not _is_enum_class(child):
            yield from _walk(child)


def offenders(source: str, name: str) -> list[str]:
    """``name:line: 'value' (Enum)`` for each bare status literal of ``source``."""
    found = []
    for node in _walk(ast.parse(source)):
        for place in _status_places(node):
            for constant in _strings(place):
                if constant.value in VALUES:
                    found.append(f"{name}:{constant.lineno}: {constant.value!r} "
                                 f"(use {' or '.join(VALUES[constant.value])})")
    return found


def test_no_bare_status_literals():
    found = []
    for root in ROOTS:
        for path in sorted(root.rglob("*.py")):
            name = path.relative_to(root.parent).as_posix()
            found += offenders(path.read_text(encoding="utf-8"), name)
    assert not found, "bare status literals:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'if booking.status == "accepted": pass',
    'if "held" != reception.status: pass',
    'ok = task.status in ("done", "accepted")',
    'ok = state not in ["booked", "waiting"]',
    'q = select(Booking).where(Booking.status.in_(("pending", "waitlisted")))',
    'q = select(Task).where(Task.status.notin_(["returned"]))',
    'event = BookingEvent(status="cancelled")',
    'entry = QueueEntry(state="booked", kind="x")',
    'reception.status = "live"',
    'reception.status, reception.opened_at = "live", now',
    'rows = [{"unit_id": 1, "mode": "online"}]',
    'recording.status: str = "stored"',
    'ok = minutes.outcome == "thu_ly"',
    'ok = schedule.holiday_policy == "shift"',
])
def test_each_kind_of_bare_literal_is_found(source):
    assert len(offenders(source, "x.py")) >= 1, source


@pytest.mark.parametrize("source", [
    'if booking.status == BookingStatus.ACCEPTED: pass',
    'ok = task.status in (TaskStatus.DONE, TaskStatus.ACCEPTED)',
    'notify_booking(booking, "booking_accepted")',
    'labels = {"pending": 1}',
    'role = "host"',
    'bp = Blueprint("live", __name__)',
    'class Colour(StrEnum):\n    DONE = "done"\n    ok = DONE == "done"',
])
def test_members_and_other_strings_pass(source):
    assert offenders(source, "x.py") == []


def _checked_values(model, column: str) -> set[str] | None:
    """The strings a model's CHECK constraint allows in ``column``."""
    for constraint in model.__table__.constraints:
        text = str(getattr(constraint, "sqltext", ""))
        if re.search(rf"\b{column}\s+IN\s*\(", text):
            return set(re.findall(r"'([^']*)'", text.split("IN", 1)[1]))
    return None


@pytest.mark.parametrize(("model", "column", "enum"), [
    (Booking, "status", BookingStatus),
    (ReceptionSession, "status", SessionStatus),
    (QueueEntry, "state", QueueState),
    (Task, "status", TaskStatus),
    (Recording, "status", RecordingStatus),
    (Minutes, "outcome", Outcome),
])
def test_enum_members_are_the_strings_the_column_allows(model, column, enum):
    assert _checked_values(model, column) == {member.value for member in enum}
    assert all(member == member.value and str(member) == member.value for member in enum)
