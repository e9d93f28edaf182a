"""Compliance with the legal minimum frequency of periodic reception, per host and month.

Counted per host of the unit, in distinct local days of **periodic** sessions
(ad-hoc sessions answer urgent matters and do not count towards the minimum):

* ``scheduled_days``: days with a periodic session that is not cancelled;
* ``held_days``: days with a periodic session that took place, i.e. whose status
  is ``held``, or which ended before now without being cancelled;
* ``compliant``: held days ≥ required for a month in the past, scheduled days ≥
  required for the current and future months (sessions/rules.month_compliance).

Who actually hosted: a session hosted by an authorised deputy (``acting_host``) is
counted apart in ``deputy_days`` (distinct days with a periodic session a deputy
hosts, not cancelled). While the delegation rule of the rulebook allows it (before
1 July 2026) such a day still counts for the chairman it was scheduled for; on a day
the rule forbids delegating reception to a deputy (Law 136/2025 as reported, from
1 July 2026) it counts neither as scheduled nor as held for the chairman, and
``deputy_days_not_counted`` says how many days were left out that way. The frequency
rule and the delegation rule are read from the rulebook (app/rulebook) by date.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sessions.errors import N_, CoreError
from sessions.rules import MonthCompliance, month_compliance

from ..auth.models import User
from ..extensions import db
from ..rulebook import services as rulebook
from ..timeutil import to_local, to_utc_naive, utcnow
from ..units.models import Unit
from ..units.services import hosts_of
from .models import ReceptionSession, SessionKind, SessionStatus

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: object) -> tuple[int, int]:
    """``(year, month)`` from ``YYYY-MM``, or CoreError on field ``month``."""
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match and 2000 <= int(match.group(1)) <= 2100 and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    raise CoreError("invalid_month", N_("Tháng phải có dạng YYYY-MM, ví dụ 2026-08."),
                    field="month")


def month_range_utc(year: int, month: int) -> tuple[datetime, datetime]:
    """Naive UTC bounds [first, next) of a local calendar month."""
    first = datetime(year, month, 1)
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return to_utc_naive(first), to_utc_naive(following)


def is_held(reception: ReceptionSession, now: datetime) -> bool:
    """Whether a session counts as held (see the module docstring)."""
    if reception.status == SessionStatus.CANCELLED:
        return False
    return reception.status == SessionStatus.HELD or reception.ends_at <= now


@dataclass
class HostCompliance:
    """One host's month: the figures, the rule's text and who actually hosted."""

    host: User
    result: MonthCompliance
    rule_text: str
    deputies: list[tuple[str, int]] = field(default_factory=list)
    deputy_days: int = 0
    deputy_days_not_counted: int = 0

    def to_dict(self) -> dict:
        """The JSON of GET /compliance (CONTRACT §3), plus the deputies' days."""
        r = self.result
        return {"host_id": self.host.id, "required_days": r.required_days,
                "scheduled_days": r.scheduled_days, "held_days": r.held_days,
                "compliant": r.compliant, "rule": self.rule_text,
                "deputy_days": self.deputy_days,
                "deputy_days_not_counted": self.deputy_days_not_counted}


def unit_compliance(unit: Unit, year: int, month: int,
                    now: datetime | None = None) -> list[HostCompliance]:
    """Compliance of every host of ``unit`` (and anyone who hosted its periodic sessions)."""
    now = now or utcnow()
    first, following = month_range_utc(year, month)
    receptions = list(db.session.scalars(
        select(ReceptionSession)
        .where(ReceptionSession.unit_id == unit.id, ReceptionSession.kind == SessionKind.PERIODIC,
               ReceptionSession.starts_at >= first, ReceptionSession.starts_at < following)
        .options(selectinload(ReceptionSession.host),
                 selectinload(ReceptionSession.acting_host))))
    hosts = {h.id: h for h in hosts_of(unit)}
    hosts.update({r.host_id: r.host for r in receptions})
    today = to_local(now).date()
    rules = rulebook.frequency_rules()
    rows = []
    for host_id in sorted(hosts):
        own = [r for r in receptions if r.host_id == host_id]
        live = [r for r in own if r.status != SessionStatus.CANCELLED]
        by_deputy = [r for r in live if r.acting_host is not None]
        not_counted = {_day(r) for r in by_deputy if not rulebook.may_delegate(_day(r))}
        counted = [r for r in own if r.acting_host is None or _day(r) not in not_counted]
        scheduled = [_day(r) for r in counted if r.status != SessionStatus.CANCELLED]
        held = [_day(r) for r in counted if is_held(r, now)]
        result = month_compliance(unit.level, year, month, scheduled, held, today, rules)
        deputies = Counter(r.acting_host.full_name for r in by_deputy)
        # Outside a request (jobs, reports) the Vietnamese source text is used.
        translate = gettext if has_request_context() else None
        rule_text = result.rule.describe(translate) if result.rule else ""
        own_days = {_day(r) for r in counted if r.acting_host is None
                    and r.status != SessionStatus.CANCELLED}
        rows.append(HostCompliance(hosts[host_id], result, rule_text, sorted(deputies.items()),
                                   deputy_days=len({_day(r) for r in by_deputy}),
                                   deputy_days_not_counted=len(not_counted - own_days)))
    return rows


def _day(reception: ReceptionSession) -> date:
    return to_local(reception.starts_at).date()
