"""A small world for the minutes, tasks and reports tests: one case and every role.

``build_world(make)`` creates a province with a commune, an agency with its officer
and another agency, the host of a session, secretaries of the unit and of another
unit, an inspector, an administrator, the citizen of an accepted booking and another
citizen. ``login(client, user)`` signs a person in on the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g

from app.extensions import db
from tests.factories import web_login_key


@dataclass
class World:
    unit: object
    commune: object
    other_unit: object
    agency: object
    other_agency: object
    host: object
    secretary: object
    other_secretary: object
    officer: object
    other_officer: object
    inspector: object
    admin: object
    citizen: object
    other_citizen: object
    reception: object
    booking: object


def build_world(make, *, starts_in_minutes: int = 60 * 24 * 10, **booking) -> World:
    """Every role around one accepted case (``booking`` overrides make_booking's)."""
    unit = make.make_unit("08", name="Tuyên Quang", division_type="tỉnh")
    commune = make.make_unit("02269", level="commune", parent=unit, name="Xã Thượng Lâm",
                             division_type="xã")
    other_unit = make.make_unit("01", name="Hà Nội", division_type="thành phố trung ương")
    agency = make.make_agency(unit, "SXD", "Sở Xây dựng")
    other_agency = make.make_agency(unit, "TTT", "Thanh tra tỉnh")
    host = make.make_user("host", unit=unit, full_name="Trần Văn Chủ")
    citizen = make.make_user(full_name="Nguyễn Văn An", cccd="008090001234",
                             address="Số 1 đường Chiến Thắng, Tuyên Quang")
    reception = make.make_reception(unit, host, starts_in_minutes=starts_in_minutes)
    booking.setdefault("summary", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất")
    return World(
        unit=unit, commune=commune, other_unit=other_unit, agency=agency,
        other_agency=other_agency, host=host,
        secretary=make.make_user("secretary", unit=unit),
        other_secretary=make.make_user("secretary", unit=other_unit),
        officer=make.make_user("officer", unit=unit, agency=agency),
        other_officer=make.make_user("officer", unit=unit, agency=other_agency),
        inspector=make.make_user("inspector", unit=unit),
        admin=make.make_user("admin"),
        citizen=citizen, other_citizen=make.make_user(),
        reception=reception, booking=make.make_booking(reception, citizen, **booking),
    )


def login(client, user) -> None:
    """Sign ``user`` in on the web (the data is committed so the request sees it)."""
    db.session.commit()
    # The tests' app context outlives requests, and Flask-Login caches the user in g.
    g.pop("_login_user", None)
    key = web_login_key(user)
    with client.session_transaction() as session_data:
        session_data["_user_id"] = key
        session_data["_fresh"] = True
