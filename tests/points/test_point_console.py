"""The reception point's console page (/live/<id>/point): who may open it, what it shows."""

from __future__ import annotations

import pytest


@pytest.fixture
def point_room(app, make):
    from types import SimpleNamespace

    from app.extensions import db
    from app.points.models import ReceptionPoint

    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=10, slot_minutes=10)
    citizens = [make.make_user("citizen") for _ in range(2)]
    room = SimpleNamespace(unit=unit, host=host, secretary=make.make_user("secretary", unit=unit),
                           id=reception.id, citizens=citizens,
                           bookings=[make.make_booking(reception, c, slot_index=i)
                                     for i, c in enumerate(citizens)])

    points = []
    for code in ("DC-01", "DC-02"):
        point = ReceptionPoint(code=code, unit_id=room.unit.id, name=f"Điểm cầu {code}",
                               address="", kind="satellite")
        db.session.add(point)
        db.session.flush()
        points.append(point)
    operators = []
    for point in points:
        operator = make.make_user("operator", unit=room.unit)
        operator.roles[0].point_id = point.id
        operators.append(operator)
    room.bookings[0].point_id = points[0].id
    db.session.commit()
    room.operator, room.idle_operator = operators
    return room


def test_the_points_operator_opens_its_console(point_room, login):
    page = login(point_room.operator).get(f"/live/{point_room.id}/point")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Điểm cầu DC-01" in text
    assert "Công dân đã được thông báo và đồng ý ghi âm, ghi hình" in text
    assert f'data-booking-id="{point_room.bookings[0].id}"' in text
    assert f'data-booking-id="{point_room.bookings[1].id}"' not in text
    # The console shows tickets and states, never the citizen's name.
    assert point_room.citizens[0].full_name not in text


@pytest.mark.parametrize("who", ["idle_operator", "host", "secretary", "citizen"])
def test_others_may_not_open_the_point_console(point_room, login, who):
    user = point_room.citizens[0] if who == "citizen" else getattr(point_room, who)
    assert login(user).get(f"/live/{point_room.id}/point").status_code == 403


def test_anonymous_is_sent_to_sign_in(point_room, client):
    answer = client.get(f"/live/{point_room.id}/point")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
