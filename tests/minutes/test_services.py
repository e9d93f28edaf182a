"""Tests of app/minutes/services.py: saving, versions, concurrency, the public conclusion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.minutes import services
from app.minutes.models import MinutesVersion
from app.timeutil import utcnow
from sessions.errors import CoreError as ActionError


def test_first_save_creates_version_one(world):
    minutes = services.save_minutes(world.booking, {"content": "Công dân trình bày.",
                                                    "conclusion": "Giao Sở Xây dựng."},
                                    actor=world.secretary)
    assert (minutes.version, minutes.content, minutes.conclusion) == (
        1, "Công dân trình bày.", "Giao Sở Xây dựng.")
    payload = services.minutes_payload(world.booking)
    assert payload["version"] == 1 and payload["updated_by"] == world.secretary.full_name


def test_payload_without_minutes_is_version_zero(world):
    assert services.minutes_payload(world.booking) == {
        "booking_id": world.booking.id, "version": 0, "content": "", "conclusion": "",
        "outcome": None, "outcome_label": "", "updated_at": None, "updated_by": None}


def test_each_change_increments_the_version_and_omitted_fields_stay(world):
    services.save_minutes(world.booking, {"content": "A", "conclusion": "K"},
                          actor=world.secretary)
    minutes = services.save_minutes(world.booking, {"content": "AB", "version": 1},
                                    actor=world.secretary)
    assert (minutes.version, minutes.content, minutes.conclusion) == (2, "AB", "K")


def test_a_stale_version_is_refused_with_the_current_text(world):
    services.save_minutes(world.booking, {"content": "bản của thư ký"}, actor=world.secretary)
    with pytest.raises(ActionError) as caught:
        services.save_minutes(world.booking, {"content": "bản của chủ tịch", "version": 0},
                              actor=world.host)
    assert (caught.value.status, caught.value.code) == (409, "invalid_state")
    assert caught.value.extra["current"]["content"] == "bản của thư ký"
    assert caught.value.extra["current"]["version"] == 1


def test_saving_the_same_text_creates_no_version(world):
    services.save_minutes(world.booking, {"content": "A"}, actor=world.secretary)
    minutes = services.save_minutes(world.booking, {"content": "A", "version": 1},
                                    actor=world.secretary)
    assert minutes.version == 1


def test_quick_autosaves_of_one_author_fold_into_one_version_row(world):
    for text in ("A", "AB", "ABC"):
        services.save_minutes(world.booking, {"content": text}, actor=world.secretary)
    services.save_minutes(world.booking, {"content": "ABCD"}, actor=world.host)
    rows = db.session.scalars(select(MinutesVersion).order_by(MinutesVersion.id)).all()
    assert [(r.version, r.content, r.author_id) for r in rows] == [
        (3, "ABC", world.secretary.id), (4, "ABCD", world.host.id)]
    history = services.minutes_history(world.booking)
    assert [h["author"] for h in history] == [world.host.full_name, world.secretary.full_name]


def test_a_later_save_after_the_fold_window_is_a_new_version_row(world):
    services.save_minutes(world.booking, {"content": "A"}, actor=world.secretary)
    row = db.session.scalar(select(MinutesVersion))
    row.at = utcnow() - services.FOLD_WINDOW - timedelta(seconds=1)
    services.save_minutes(world.booking, {"content": "AB"}, actor=world.secretary)
    assert db.session.query(MinutesVersion).count() == 2


def test_new_version_rows_are_audited(world):
    services.save_minutes(world.booking, {"content": "A"}, actor=world.secretary)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes_save"))
    assert event.target == f"booking:{world.booking.id}"


def test_outcome_is_stored_and_answers_the_case(world):
    minutes = services.save_minutes(world.booking, {"outcome": "huong_dan"},
                                    actor=world.secretary)
    assert minutes.outcome == "huong_dan" and minutes.answered_at is not None
    assert services.minutes_payload(world.booking)["outcome_label"] == \
        "Hướng dẫn đến cơ quan có thẩm quyền"


@pytest.mark.parametrize(("data", "field"), [
    ({"content": 5}, "content"), ({"conclusion": ["x"]}, "conclusion"),
    ({"outcome": "xu_ly"}, "outcome"), ({"content": "a", "version": "1"}, "version"),
    ({"content": "a", "version": True}, "version"), ({}, "content"),
    ({"content": "x" * (services.CONTENT_MAX + 1)}, "content"),
])
def test_invalid_input_is_422(world, data, field):
    with pytest.raises(ActionError) as caught:
        services.save_minutes(world.booking, data, actor=world.secretary)
    assert caught.value.status == 422 and field in caught.value.errors


@pytest.mark.parametrize("status", ["pending", "refused", "cancelled", "waitlisted"])
def test_only_accepted_or_served_cases_take_minutes(world, status):
    world.booking.status = status
    with pytest.raises(ActionError) as caught:
        services.save_minutes(world.booking, {"content": "A"}, actor=world.secretary)
    assert caught.value.status == 409


def test_public_conclusion_waits_for_the_end_of_the_session(world):
    services.save_minutes(world.booking, {"conclusion": "Giao Sở Xây dựng kiểm tra."},
                          actor=world.secretary)
    assert services.public_conclusion(world.booking) is None
    world.booking.status = "served"
    assert services.public_conclusion(world.booking) == "Giao Sở Xây dựng kiểm tra."


def test_public_conclusion_masks_personal_data(world):
    world.reception.status = "held"
    services.save_minutes(world.booking, {"conclusion": "Ông Nguyễn Văn An (0912345678) "
                                                        "được hướng dẫn."}, actor=world.host)
    text = services.public_conclusion(world.booking)
    assert "Nguyễn Văn An" not in text and "0912345678" not in text
    assert "N*** V** A*" in text


def test_no_public_conclusion_without_one(world):
    world.reception.status = "held"
    assert services.public_conclusion(world.booking) is None
