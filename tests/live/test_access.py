"""Tests of app/live/access.py: roles in a live room and when it is open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.live import access
from sessions.errors import CoreError


@pytest.mark.parametrize(("minutes", "is_open"), [(-61, False), (-59, True), (30, True),
                                                  (119, True), (120, False)])
def test_room_is_open_from_one_hour_before_until_the_end(room, minutes, is_open):
    moment = room.reception.starts_at + timedelta(minutes=minutes)
    assert access.is_room_open(room.reception, moment) is is_open


def test_a_live_room_stays_open_past_its_end_until_closed(room):
    room.reception.status = "live"
    assert access.is_room_open(room.reception, room.reception.ends_at + timedelta(minutes=30))
    room.reception.status = "held"
    assert not access.is_room_open(room.reception, room.reception.starts_at)


def test_host_acting_host_and_deputy_join_as_host(room, make):
    acting = make.make_user("deputy", unit=room.unit)
    room.reception.acting_host_id = acting.id
    assert access.resolve_role(room.host, room.reception, None) == "host"
    assert access.resolve_role(acting, room.reception, None) == "host"
    assert access.resolve_role(room.host, room.reception, "secretary") == "secretary"


def test_secretary_of_a_unit_above_joins_as_secretary(room, make):
    commune = make.make_unit(level="commune", parent=room.unit)
    host = make.make_user("host", unit=commune)
    reception = make.make_reception(commune, host, starts_in_minutes=10)
    assert access.resolve_role(room.secretary, reception, None) == "secretary"
    with pytest.raises(CoreError) as caught:
        access.resolve_role(room.secretary, reception, "host")
    assert caught.value.code == "forbidden"


def test_host_of_another_unit_is_a_citizen_at_most(room, make):
    other = make.make_user("host", unit=make.make_unit())
    assert access.resolve_role(other, room.reception, None) == "citizen"
    with pytest.raises(CoreError):
        access.resolve_role(other, room.reception, "secretary")


def test_admin_joins_as_secretary_but_does_not_see_denouncers(room, make):
    admin = make.make_user("admin")
    assert access.resolve_role(admin, room.reception, None) == "secretary"
    assert not access.may_see_denouncer(admin, room.reception)
    assert access.may_see_denouncer(room.secretary, room.reception)
    assert access.may_see_denouncer(room.host, room.reception)


def test_inspector_of_the_unit_sees_denouncers(room, make):
    inspector = make.make_user("inspector", unit=room.unit)
    assert access.may_see_denouncer(inspector, room.reception)


def test_display_needs_nobody_and_bad_roles_are_refused(room):
    assert access.resolve_role(None, room.reception, "display") == "display"
    with pytest.raises(CoreError) as caught:
        access.resolve_role(room.host, room.reception, "king")
    assert caught.value.code == "bad_request"
