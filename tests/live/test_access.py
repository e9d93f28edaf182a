"""Tests of app/live/access.py and app/live/window.py: roles in a live room and when it is open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.bookings.access import may_see_identity
from app.live import access, window
from sessions.errors import CoreError


@pytest.mark.parametrize(("minutes", "is_open"), [(-61, False), (-59, True), (30, True),
                                                  (119, True), (120, False)])
def test_room_is_open_from_one_hour_before_until_the_end(room, minutes, is_open):
    moment = room.reception.starts_at + timedelta(minutes=minutes)
    assert window.is_room_open(room.reception, moment) is is_open


def test_a_live_room_stays_open_past_its_end_until_closed(room):
    room.reception.status = "live"
    assert window.is_room_open(room.reception, room.reception.ends_at + timedelta(minutes=30))
    room.reception.status = "held"
    assert not window.is_room_open(room.reception, room.reception.starts_at)


def test_only_the_acting_host_joins_as_host(room, make):
    deputy = make.make_user("deputy", unit=room.unit)
    assert access.resolve_role(room.host, room.reception, None) == "host"
    assert access.resolve_role(deputy, room.reception, None) == "citizen"
    with pytest.raises(CoreError) as caught:
        access.resolve_role(deputy, room.reception, "host")
    assert caught.value.code == "forbidden"
    room.reception.acting_host_id = deputy.id
    assert access.resolve_role(deputy, room.reception, None) == "host"
    assert access.resolve_role(deputy, room.reception, "secretary") == "secretary"
    assert access.staff_role(room.host, room.reception) is None  # the deputy acts


def test_a_deputy_who_is_also_secretary_joins_as_secretary_only(room, make):
    deputy = make.make_user("deputy", "secretary", unit=room.unit)
    assert access.resolve_role(deputy, room.reception, None) == "secretary"
    with pytest.raises(CoreError):
        access.resolve_role(deputy, room.reception, "host")


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
    booking = make.make_booking(room.reception, make.make_user("citizen"),
                                slot_index=None, matter_type="to_cao")
    assert access.resolve_role(admin, room.reception, None) == "secretary"
    assert not may_see_identity(admin, booking)
    assert may_see_identity(room.secretary, booking)
    assert may_see_identity(room.host, booking)


def test_inspector_of_the_unit_sees_denouncers(room, make):
    inspector = make.make_user("inspector", unit=room.unit)
    booking = make.make_booking(room.reception, make.make_user("citizen"),
                                slot_index=None, matter_type="to_cao")
    assert may_see_identity(inspector, booking)


def test_display_needs_nobody_and_bad_roles_are_refused(room):
    assert access.resolve_role(None, room.reception, "display") == "display"
    with pytest.raises(CoreError) as caught:
        access.resolve_role(room.host, room.reception, "king")
    assert caught.value.code == "bad_request"
