"""The rulebook read from the database by date, seeded from sessions/rules.py.

``sessions/rules.py`` keeps the pure functions and today's law as constants; the
application stores those constants once (the migration, ``seed-demo`` and the tests
call :func:`seed_rules`) and from then on reads the versions in force on a date from
the ``rules`` table. An administrator edits or adds a version (with its dates, value,
source and note); each change is audited with the values before and after.

Reading is cached per process, keyed on the table's latest change (one small query
per read), so an edit made in another process is seen at once too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from sessions.errors import N_, CoreError, invalid
from sessions.recurrence import parse_date
from sessions.rules import (
    DEADLINES,
    DEFAULT_DELEGATION,
    DEFAULT_GROUNDS,
    DEFAULT_RULES,
    LEVELS,
    PERIODS,
    DelegationRule,
    RefusalGround,
    Rule,
    delegation_rule,
    grounds_in_force,
    rule_for,
)

from ..audit.services import record_event
from ..extensions import db
from ..timeutil import local_today, utcnow
from .defaults import default_rows
from .models import KINDS, RuleVersion


def seed_rules() -> int:
    """Store the default rows of every kind that has none yet; returns how many (the
    caller commits)."""
    present = set(db.session.scalars(select(RuleVersion.kind).distinct()))
    added = 0
    for row in default_rows():
        if row["kind"] in present:
            continue
        db.session.add(RuleVersion(**row))
        added += 1
    db.session.flush()
    invalidate()
    return added


# --- reading, cached --------------------------------------------------------------

@dataclass(frozen=True)
class Book:
    """Every version of every rule, as the pure core's values."""

    versions: tuple  # (id, kind, code, value, from, until, source, note, to_verify)
    frequency: tuple[Rule, ...]
    grounds: tuple[RefusalGround, ...]
    delegation: tuple[DelegationRule, ...]
    deadlines: tuple[tuple[str, int, date, date | None, str], ...]

    def deadline_days(self, code: str, on: date) -> int:
        found = [d for d in self.deadlines
                 if d[0] == code and d[2] <= on and (d[3] is None or on <= d[3])]
        if found:
            return max(found, key=lambda d: d[2])[1]
        return DEADLINES[code][0]


_lock = threading.Lock()
_cache: dict = {}


def invalidate() -> None:
    """Forget the cached rulebook (after an edit)."""
    with _lock:
        _cache.clear()


def _key() -> tuple:
    bind = db.session.get_bind()
    stamp = db.session.execute(select(func.count(RuleVersion.id), func.max(RuleVersion.id),
                                      func.max(RuleVersion.updated_at))).one()
    return (str(bind.url), *stamp)


def book() -> Book:
    """The whole rulebook (cached until the table changes)."""
    key = _key()
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    rows = db.session.scalars(select(RuleVersion).order_by(RuleVersion.kind, RuleVersion.code,
                                                           RuleVersion.effective_from,
                                                           RuleVersion.id)).all()
    built = _build(rows)
    with _lock:
        _cache.clear()
        _cache[key] = built
    return built


def _build(rows) -> Book:
    versions = tuple((r.id, r.kind, r.code, dict(r.value or {}), r.effective_from,
                      r.effective_until, r.source, r.note, r.to_verify) for r in rows)
    frequency, grounds, delegation, deadlines = [], [], [], []
    for r in rows:
        v = r.value or {}
        try:
            if r.kind == "frequency":
                frequency.append(Rule(r.code, int(v["min_days"]), v["per"], r.effective_from,
                                      r.effective_until, r.source, r.note))
            elif r.kind == "refusal_ground":
                grounds.append(RefusalGround(r.code, v["text"], r.source,
                                             bool(v["written_notice"]), v["arises"],
                                             r.effective_from, r.effective_until))
            elif r.kind == "delegation":
                delegation.append(DelegationRule(bool(v["allowed"]), r.effective_from,
                                                 r.effective_until, r.source, r.note))
            elif r.kind == "deadline":
                deadlines.append((r.code, int(v["working_days"]), r.effective_from,
                                  r.effective_until, r.source))
        except (KeyError, TypeError, ValueError, CoreError):
            continue  # a row the code cannot read is left out, never a 500
    # A kind with no row at all (a database not seeded yet) reads today's constants.
    return Book(versions, tuple(frequency) or DEFAULT_RULES, tuple(grounds) or DEFAULT_GROUNDS,
                tuple(delegation) or DEFAULT_DELEGATION, tuple(deadlines))


def frequency_rules() -> tuple[Rule, ...]:
    return book().frequency


def refusal_grounds() -> tuple[RefusalGround, ...]:
    return book().grounds


def grounds_on(on: date | None = None, arises: str | None = None) -> list[RefusalGround]:
    """The refusal grounds in force on ``on`` (today by default)."""
    return grounds_in_force(on or local_today(), book().grounds, arises)


def ground(code: str) -> RefusalGround | None:
    """The latest version of ground ``code`` (in force today if one is)."""
    versions = [g for g in book().grounds if g.code == code]
    today = local_today()
    current = [g for g in versions if g.in_force(today)] or versions
    return max(current, key=lambda g: g.effective_from, default=None)


def ground_text(code: str) -> str:
    found = ground(code) if code else None
    return found.text if found else ""


def needs_written_notice(code: str) -> bool:
    """Whether a refusal on ``code`` is due form 01/TCD (the rulebook's answer)."""
    found = ground(code) if code else None
    return bool(found and found.written_notice)


def deadline_days(code: str, on: date | None = None) -> int:
    return book().deadline_days(code, on or local_today())


def may_delegate(on: date) -> bool:
    rule = delegation_rule(on, book().delegation)
    return True if rule is None else rule.allowed


def frequency_on(level: str, on: date) -> Rule | None:
    return rule_for(level, on, book().frequency)


# --- what applies to a unit on a date (the public page) ----------------------------

@dataclass
class Applicable:
    on: date
    level: str
    frequency: Rule | None
    frequency_to_verify: bool
    deadlines: list[tuple[str, int, str]]
    grounds: list[RefusalGround]
    delegation: DelegationRule | None
    to_verify: list[tuple]


def applicable(level: str, on: date) -> Applicable:
    """Every rule in force for a unit of ``level`` on ``on``, with its source."""
    b = book()
    frequency = rule_for(level, on, b.frequency)

    def in_force(v) -> bool:
        return v[4] <= on and (v[5] is None or on <= v[5])

    freq_row = next((v for v in b.versions if v[1] == "frequency" and v[2] == level
                     and frequency is not None and v[4] == frequency.effective_from
                     and in_force(v)), None)
    deadlines = [(code, b.deadline_days(code, on),
                  next((v[6] for v in b.versions if v[1] == "deadline" and v[2] == code
                        and in_force(v)), DEADLINES[code][1]))
                 for code in DEADLINES]
    to_verify = [v for v in b.versions if v[8] and in_force(v)
                 and (v[1] != "frequency" or v[2] == level)]
    return Applicable(on, level, frequency, bool(freq_row and freq_row[8]), deadlines,
                      grounds_in_force(on, b.grounds), delegation_rule(on, b.delegation),
                      to_verify)


# --- the administrator's edits -------------------------------------------------------

def _text(data: dict, name: str, limit: int, errors: dict, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = CoreError("invalid_type", N_("Dữ liệu không hợp lệ."), field=name)
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[name] = CoreError("too_long", N_("Tối đa {limit} ký tự."), field=name,
                                 limit=limit)
    elif required and not value:
        errors[name] = CoreError("required", N_("Vui lòng nhập thông tin này."), field=name)
    return value


def _date(data: dict, name: str, errors: dict, required: bool) -> date | None:
    value = data.get(name)
    if value in (None, "") and not required:
        return None
    try:
        return parse_date(value.strip() if isinstance(value, str) else value)
    except CoreError:
        errors[name] = CoreError("invalid_date", N_("Ngày phải có dạng YYYY-MM-DD."),
                                 field=name)
        return None


def _int(data: dict, name: str, low: int, high: int, errors: dict) -> int:
    value = data.get(name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high or isinstance(value, bool):
        errors[name] = CoreError("invalid_number", N_("Phải là số nguyên từ {low} đến {high}."),
                                 field=name, low=low, high=high)
        return low
    return number


def _flag(data: dict, name: str) -> bool:
    return data.get(name) in (True, "1", "true", "on", "y", "yes")


def clean(data: dict, kind: str, code: str) -> dict:
    """The columns of a version from the form's values, or ``invalid`` (field errors in
    Vietnamese)."""
    errors: dict = {}
    values = {
        "effective_from": _date(data, "effective_from", errors, True),
        "effective_until": _date(data, "effective_until", errors, False),
        "source": _text(data, "source", 300, errors, required=True),
        "note": _text(data, "note", 2000, errors),
        "to_verify": _flag(data, "to_verify"),
    }
    if (values["effective_from"] and values["effective_until"]
            and values["effective_until"] < values["effective_from"]):
        errors["effective_until"] = CoreError(
            "invalid_rule_dates", N_("Ngày hết hiệu lực không được trước ngày có hiệu lực."),
            field="effective_until")
    if kind == "frequency":
        per = data.get("per")
        if per not in PERIODS:
            errors["per"] = CoreError("invalid_rule_period",
                                      N_("Chu kỳ của quy định phải là tuần hoặc tháng."),
                                      field="per")
        values["value"] = {"min_days": _int(data, "min_days", 0, 31, errors), "per": per}
    elif kind == "deadline":
        values["value"] = {"working_days": _int(data, "working_days", 0, 60, errors)}
    elif kind == "refusal_ground":
        arises = data.get("arises")
        if arises not in ("triage", "session"):
            errors["arises"] = CoreError("invalid_arises", N_(
                "Vui lòng chọn: xem xét khi tiếp nhận đăng ký hoặc tại buổi tiếp."),
                field="arises")
        values["value"] = {"text": _text(data, "text", 1000, errors, required=True),
                           "written_notice": _flag(data, "written_notice"),
                           "arises": arises}
    elif kind == "delegation":
        values["value"] = {"allowed": _flag(data, "allowed")}
    if errors:
        raise invalid(errors)
    return values


def validate_key(kind: object, code: object) -> tuple[str, str]:
    """A known kind and a code that fits it, or ``invalid``."""
    errors = {}
    if kind not in KINDS:
        errors["kind"] = CoreError("invalid_kind", N_("Loại quy định không hợp lệ."),
                                   field="kind")
    elif not isinstance(code, str) or not code.strip():
        errors["code"] = CoreError("required", N_("Vui lòng nhập thông tin này."), field="code")
    else:
        code = code.strip()
        allowed = {"frequency": LEVELS, "deadline": tuple(DEADLINES),
                   "delegation": ("deputy_hosting",)}.get(kind)
        if allowed is not None and code not in allowed:
            errors["code"] = CoreError("invalid_code", N_("Mã quy định không hợp lệ."),
                                       field="code")
        elif len(code) > 40 or not code.replace("_", "").isalnum() or not code.isascii():
            errors["code"] = CoreError("invalid_code", N_("Mã quy định không hợp lệ."),
                                       field="code")
    if errors:
        raise invalid(errors)
    return kind, code


def snapshot(version: RuleVersion) -> dict:
    return {"kind": version.kind, "code": version.code, "value": version.value,
            "effective_from": version.effective_from, "effective_until": version.effective_until,
            "source": version.source, "note": version.note, "to_verify": version.to_verify}


def edit_rule(version: RuleVersion, data: dict, *, actor) -> RuleVersion:
    """Change one version; audited with its values before and after."""
    values = clean(data, version.kind, version.code)
    before = snapshot(version)
    for name, value in values.items():
        setattr(version, name, value)
    version.updated_at = utcnow()
    db.session.flush()
    record_event("rule_edit", actor=actor, target=f"rule:{version.id}", before=before,
                 after=snapshot(version))
    invalidate()
    return version


def add_rule(data: dict, *, actor) -> RuleVersion:
    """A new version of a rule (e.g. the same code from a later date); audited."""
    kind, code = validate_key(data.get("kind"), data.get("code"))
    values = clean(data, kind, code)
    version = RuleVersion(kind=kind, code=code, updated_at=utcnow(), **values)
    db.session.add(version)
    db.session.flush()
    record_event("rule_add", actor=actor, target=f"rule:{version.id}", before=None,
                 after=snapshot(version))
    invalidate()
    return version


def versions(kind: str | None = None) -> list[RuleVersion]:
    query = select(RuleVersion).order_by(RuleVersion.kind, RuleVersion.code,
                                         RuleVersion.effective_from, RuleVersion.id)
    if kind in KINDS:
        query = query.where(RuleVersion.kind == kind)
    return list(db.session.scalars(query))
