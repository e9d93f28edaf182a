"""The demo data of CONTRACT §2."""

from sqlalchemy import func, select

from app.auth.models import User
from app.bookings.models import Booking
from app.extensions import db
from app.schedules.models import ReceptionSession
from app.seed import database_is_empty, seed_demo
from app.units.models import Unit
from sessions.identity import validate_cccd


def _seed():
    seed_demo()
    db.session.commit()


def test_seed_fills_an_empty_database_once(app):
    assert database_is_empty()
    _seed()
    assert not database_is_empty()


def test_province_and_its_124_communes(app, api):
    _seed()
    province = db.session.scalar(select(Unit).where(Unit.code == "08"))
    assert province.name == "Tuyên Quang"
    communes = api.get("/units?parent=08").get_json()
    assert len(communes) == 124
    assert all(len(c["code"]) == 5 for c in communes)


def test_hosts_of_the_province_is_the_chairman_alone(app, api):
    _seed()
    hosts = api.get("/hosts?unit=08").get_json()
    chairman = db.session.scalar(select(User).where(User.email == "chutich@demo.test"))
    assert [h["id"] for h in hosts] == [chairman.id]
    commune_hosts = [c for c in api.get("/units?parent=08").get_json()
                     if api.get(f"/hosts?unit={c['code']}").get_json()]
    assert len(commune_hosts) == 1


def test_demo_logins_and_roles(app, api):
    _seed()
    expected = {"admin@demo.test": ["admin"], "thuky@demo.test": ["secretary"],
                "chutich@demo.test": ["host"], "canbo@demo.test": ["officer"],
                "congdan3@demo.test": ["citizen"]}
    for login, roles in expected.items():
        response = api.post("/auth/login", json={"username": login, "password": "demo1234"})
        assert response.status_code == 200, login
        assert response.get_json()["user"]["roles"] == roles


def test_agencies_of_the_province(app, api):
    _seed()
    secretary = db.session.scalar(select(User).where(User.email == "thuky@demo.test"))
    codes = [a["code"] for a in api.get("/agencies?unit=08", user=secretary).get_json()]
    assert codes == ["SNNMT", "SXD", "TTT"]


def test_citizens_are_complete_and_have_no_bookings(app):
    _seed()
    for i in range(1, 6):
        citizen = db.session.scalar(select(User).where(User.email == f"congdan{i}@demo.test"))
        assert citizen.phone == f"+8490000000{i}"
        assert citizen.address and citizen.consent_data_at and citizen.consent_recording_at
        validate_cccd(citizen.cccd, birth_date=citizen.birth_date)
        assert citizen.flags == frozenset()
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_a_year_of_sessions_for_both_hosts(app):
    _seed()
    chairman = db.session.scalar(select(User).where(User.email == "chutich@demo.test"))
    province_sessions = db.session.scalars(
        select(ReceptionSession).where(ReceptionSession.host_id == chairman.id)).all()
    assert 11 <= len(province_sessions) <= 13
    assert all(s.mode == "online" and s.slot_minutes == 20 for s in province_sessions)
    total = db.session.scalar(select(func.count(ReceptionSession.id)))
    assert total >= len(province_sessions) + 22


def test_reception_points_of_the_province(app, api):
    _seed()
    points = api.get("/points?unit=08").get_json()
    assert [p["kind"] for p in points] == ["central"]
    assert points[0]["name"] == "Điểm cầu trung tâm – Trụ sở tiếp công dân tỉnh"
    satellites = [p for c in api.get("/units?parent=08").get_json()
                  for p in api.get(f"/points?unit={c['code']}").get_json()]
    assert len(satellites) >= 2
    assert {p["kind"] for p in satellites} == {"satellite"}
    host_communes = {c["code"] for c in api.get("/units?parent=08").get_json()
                     if api.get(f"/hosts?unit={c['code']}").get_json()}
    assert host_communes & {p["unit_code"] for p in satellites}


def test_the_point_operator_signs_in_and_works_a_satellite_point(app, api):
    _seed()
    response = api.post("/auth/login", json={"username": "diemcau@demo.test",
                                             "password": "demo1234"})
    assert response.status_code == 200
    assert response.get_json()["user"]["roles"] == ["operator"]
    operator = db.session.scalar(select(User).where(User.email == "diemcau@demo.test"))
    (role,) = operator.roles
    assert role.point.kind == "satellite" and role.point.unit_id == role.unit_id
