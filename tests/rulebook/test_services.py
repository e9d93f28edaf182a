"""The rulebook read from the database by date (app/rulebook/services.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.rulebook import services as rulebook
from app.rulebook.defaults import default_rows
from app.rulebook.models import RuleVersion
from app.schedules.compliance import unit_compliance
from sessions.errors import CoreError
from sessions.rules import DEFAULT_GROUNDS, DEFAULT_RULES
from tests.factories import add_session


def _row(unit, host, year, month):
    return next(r for r in unit_compliance(unit, year, month) if r.host.id == host.id)


def _version(kind, code, effective_from):
    return db.session.scalar(select(RuleVersion).where(
        RuleVersion.kind == kind, RuleVersion.code == code,
        RuleVersion.effective_from == effective_from))


def test_seeding_stores_todays_constants_once(app):
    added = rulebook.seed_rules()
    assert added == len(default_rows())
    assert rulebook.seed_rules() == 0  # each kind already has its rows
    assert set(rulebook.frequency_rules()) == set(DEFAULT_RULES)
    assert {g.code for g in rulebook.refusal_grounds()} == {g.code for g in DEFAULT_GROUNDS}
    commune_2026 = _version("frequency", "commune", date(2026, 7, 1))
    assert commune_2026.to_verify and commune_2026.value == {"min_days": 2, "per": "month"}
    assert not _version("frequency", "province", date(2014, 7, 1)).to_verify
    delegation = _version("delegation", "deputy_hosting", date(2026, 7, 1))
    assert delegation.value == {"allowed": False}
    assert delegation.source == "Luật số 136/2025/QH15 (theo báo cáo, cần kiểm tra)"


def test_an_empty_table_reads_the_law_as_written(app):
    assert rulebook.frequency_rules() == DEFAULT_RULES
    assert rulebook.needs_written_notice("already_answered")
    assert not rulebook.needs_written_notice("weapons")
    assert rulebook.deadline_days("refusal_notice") == 3


def test_a_rule_edited_from_a_future_date_changes_compliance_only_from_then(app, place):
    rulebook.seed_rules()
    for day in (date(2026, 8, 12), date(2026, 9, 9), date(2026, 10, 14)):
        add_session(place.province, place.chairman, day, status="held")
    assert [_row(place.province, place.chairman, 2026, m).result.compliant
            for m in (8, 9, 10)] == [True, True, True]
    # From 1 September 2026 the province must receive two days a month.
    old = _version("frequency", "province", date(2014, 7, 1))
    rulebook.edit_rule(old, {"effective_from": "2014-07-01", "effective_until": "2026-08-31",
                             "source": old.source, "min_days": "1", "per": "month"},
                       actor=place.secretary)
    rulebook.add_rule({"kind": "frequency", "code": "province", "min_days": "2",
                       "per": "month", "effective_from": "2026-09-01",
                       "source": "Văn bản thử nghiệm", "to_verify": "1"}, actor=None)
    rows = [_row(place.province, place.chairman, 2026, m) for m in (8, 9, 10)]
    assert [(r.result.required_days, r.result.compliant) for r in rows] == [
        (1, True), (2, False), (2, False)]
    assert "Văn bản thử nghiệm" in rows[1].rule_text
    assert rulebook.frequency_on("province", date(2026, 8, 31)).min_days == 1


def test_an_edit_is_audited_with_before_and_after(app):
    rulebook.seed_rules()
    version = _version("deadline", "refusal_notice", date(2014, 7, 1))
    rulebook.edit_rule(version, {"effective_from": "2014-07-01", "working_days": "5",
                                 "source": "Nghị định 154/2026/NĐ-CP, Điều 4 khoản 3",
                                 "note": "Thử"}, actor=None)
    assert rulebook.deadline_days("refusal_notice", date(2026, 12, 1)) == 5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rule_edit"))
    detail = json.loads(event.detail)
    assert event.target == f"rule:{version.id}"
    assert detail["before"]["value"] == {"working_days": 3}
    assert detail["after"]["value"] == {"working_days": 5}
    assert detail["after"]["note"] == "Thử"


@pytest.mark.parametrize(("data", "field"), [
    ({"effective_from": "01/09/2026"}, "effective_from"),
    ({"effective_from": "2026-09-01", "effective_until": "2026-08-01"}, "effective_until"),
    ({"effective_from": "2026-09-01", "source": ""}, "source"),
    ({"effective_from": "2026-09-01", "source": "x" * 301}, "source"),
    ({"effective_from": "2026-09-01", "min_days": "-1"}, "min_days"),
    ({"effective_from": "2026-09-01", "min_days": "hai"}, "min_days"),
    ({"effective_from": "2026-09-01", "per": "year"}, "per"),
    ({"effective_from": "2026-09-01", "note": ["a"]}, "note"),
])
def test_bad_values_are_refused_in_vietnamese(app, data, field):
    rulebook.seed_rules()
    version = _version("frequency", "province", date(2014, 7, 1))
    values = {"effective_from": "2014-07-01", "source": "Luật", "min_days": "1", "per": "month"}
    values.update(data)
    with pytest.raises(CoreError) as caught:
        rulebook.edit_rule(version, values, actor=None)
    assert caught.value.code == "validation_error" and field in caught.value.errors
    assert caught.value.errors[field].message  # a Vietnamese sentence from the core


@pytest.mark.parametrize(("kind", "code"), [
    ("frequency", "village"), ("deadline", "nothing"), ("nonsense", "x"),
    ("refusal_ground", "có dấu"), ("delegation", "")])
def test_a_new_rule_needs_a_known_kind_and_code(app, kind, code):
    with pytest.raises(CoreError) as caught:
        rulebook.add_rule({"kind": kind, "code": code, "effective_from": "2026-01-01",
                           "source": "Luật"}, actor=None)
    assert caught.value.code == "validation_error"


def test_a_new_refusal_ground_is_offered_from_its_date(app):
    rulebook.seed_rules()
    rulebook.add_rule({"kind": "refusal_ground", "code": "new_ground", "text": "Căn cứ mới",
                       "arises": "triage", "written_notice": "1",
                       "effective_from": "2027-01-01", "source": "Văn bản mới"}, actor=None)
    assert "new_ground" not in {g.code for g in rulebook.grounds_on(date(2026, 12, 31))}
    assert "new_ground" in {g.code for g in rulebook.grounds_on(date(2027, 1, 1), "triage")}
    assert rulebook.needs_written_notice("new_ground")


def test_what_applies_to_a_commune_before_and_after_july_2026(app):
    rulebook.seed_rules()
    before = rulebook.applicable("commune", date(2026, 6, 30))
    after = rulebook.applicable("commune", date(2026, 7, 1))
    assert (before.frequency.per, before.frequency_to_verify) == ("week", False)
    assert (after.frequency.per, after.frequency.min_days, after.frequency_to_verify) == (
        "month", 2, True)
    assert before.delegation.allowed and not after.delegation.allowed
    assert {row[2] for row in after.to_verify} >= {"commune", "deputy_hosting"}
    assert len(after.grounds) == len(DEFAULT_GROUNDS)
