"""Factories with defaults: make_x(**overrides) creates and flushes one object.

Below them, the helpers every folder shares: ``sign_in`` / ``log_in`` (a person on the
web), ``ApiClient`` (the JSON API), and the scenes the tests are set in (``make_place``,
``build_scene``, ``build_world``), each also a fixture of tests/conftest.py.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g

from app.auth.models import RoleAssignment, User
from app.auth.services import hash_password, issue_token
from app.extensions import db
from app.timeutil import iso_local, local_today, to_utc_naive, utcnow
from app.units.models import Agency, Unit

PASSWORD = "matkhau123"
_seq = itertools.count(1)
_HASH = {}


def _password_hash(password: str) -> str:
    # argon2 is slow on purpose; tests reuse one hash per password.
    if password not in _HASH:
        _HASH[password] = hash_password(password)
    return _HASH[password]


def make_unit(code: str | None = None, level: str = "province", parent: Unit | None = None,
              **overrides) -> Unit:
    n = next(_seq)
    code = code or (f"{n % 90 + 10:02d}" if level == "province" else f"{n:05d}")
    unit = Unit(code=code, name=overrides.pop("name", f"Đơn vị {code}"), level=level,
                parent_id=parent.id if parent else None, **overrides)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(*roles: str, unit: Unit | None = None, agency: Agency | None = None,
              password: str = PASSWORD, **overrides) -> User:
    n = next(_seq)
    values = {"email": f"user{n}@example.test", "full_name": f"Người Dùng {n}",
              "phone": f"+8490{n:07d}", "consent_data_at": utcnow(),
              "consent_recording_at": utcnow()}
    if "citizen" in roles or not roles:
        # The identity to book (app/bookings/assurance.py): an address and a CCCD
        # (Hà Nội, a woman born in 1985), as the demo's citizens have.
        values.update(address=f"Số {n} đường Chiến Thắng, Tuyên Quang",
                      cccd=f"001185{n % 1_000_000:06d}")
    values.update(overrides)
    user = User(password_hash=_password_hash(password), **values)
    for role in roles or ("citizen",):
        scoped = role not in ("citizen", "admin")
        user.roles.append(RoleAssignment(role=role, unit_id=unit.id if unit and scoped else None,
                                         agency_id=agency.id if agency else None))
    db.session.add(user)
    db.session.flush()
    return user


def make_agency(unit: Unit, code: str = "SXD", name: str = "Sở Xây dựng") -> Agency:
    agency = Agency(unit_id=unit.id, code=code, name=name)
    db.session.add(agency)
    db.session.flush()
    return agency


def web_login_key(user: User) -> str:
    """What a browser's session names ``user`` by after a web sign-in (a new, committed
    sign-in row; app/auth/websessions.py): a bare user id signs nobody in."""
    from app.auth.services import start_web_login
    from app.auth.websessions import login_key

    key = login_key(user, start_web_login(user).id)
    db.session.commit()
    return key


def sign_in(client, user: User) -> None:
    """Sign ``user`` in on a Flask test client (the Flask-Login session cookie), as a web
    sign-in does: a new committed sign-in row, named in the cookie (a bare user id signs
    nobody in).

    Requests share the test's application context, hence its ``g``: the user
    Flask-Login cached there is forgotten so that the next request loads ``user``.
    """
    key = web_login_key(user)
    g.pop("_login_user", None)
    with client.session_transaction() as cookie:
        cookie["_user_id"] = key
        cookie["_fresh"] = True


def log_in(client, username: str, password: str = PASSWORD, **query):
    """Log in through the login form (POST /login), as a person does; the response."""
    db.session.commit()
    return client.post("/login", query_string=query,
                       data={"username": username, "password": password})


def token_for(user: User) -> str:
    token = issue_token(user, 24)
    db.session.commit()
    return token


class ApiClient:
    """The Flask test client speaking JSON to /api/v1 with a user's bearer token."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def _headers(self, user, headers):
        headers = dict(headers or {})
        if user is not None:
            if user.id not in self._tokens:
                self._tokens[user.id] = token_for(user)
            headers["Authorization"] = f"Bearer {self._tokens[user.id]}"
        return headers

    def request(self, method, path, user=None, json=None, headers=None, **kwargs):
        db.session.commit()
        response = self.client.open(f"/api/v1{path}", method=method, json=json,
                                    headers=self._headers(user, headers), **kwargs)
        db.session.expire_all()
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)


def make_reception(unit: Unit, host: User, *, starts_in_minutes: int = 60 * 24 * 10,
                   duration_minutes: int = 120, slot_minutes: int = 20, mode: str = "online",
                   kind: str = "periodic", status: str = "scheduled", **overrides):
    """A published reception session starting ``starts_in_minutes`` from now."""
    from app.schedules.models import ReceptionSession

    starts = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=starts_in_minutes)
    reception = ReceptionSession(unit_id=unit.id, host_id=host.id, kind=kind, starts_at=starts,
                                 ends_at=starts + timedelta(minutes=duration_minutes),
                                 slot_minutes=slot_minutes, mode=mode, status=status,
                                 **overrides)
    db.session.add(reception)
    db.session.flush()
    return reception


def make_booking(reception, citizen: User, *, slot_index: int | None = 0,
                 status: str = "accepted", matter_type: str = "kien_nghi",
                 matter_field: str = "dat_dai", summary: str | None = None, **overrides):
    """A booking written directly (not through the service), holding its slot."""
    from app.bookings.models import Booking, BookingEvent, SlotHold
    from sessions.tracking import new_tracking_code

    slot_start = None
    if slot_index is not None:
        slot_start = reception.starts_at + timedelta(minutes=slot_index * reception.slot_minutes)
    booking = Booking(tracking_code=new_tracking_code(), citizen_id=citizen.id,
                      session_id=reception.id, slot_start=slot_start, status=status,
                      matter_type=matter_type, matter_field=matter_field,
                      summary=summary or f"Nội dung vụ việc số {next(_seq)}",
                      consent_recording_at=utcnow(), **overrides)
    booking.history.append(BookingEvent(status=status))
    db.session.add(booking)
    db.session.flush()
    if slot_start is not None and status in ("pending", "accepted"):
        db.session.add(SlotHold(session_id=reception.id, slot_start=slot_start,
                                booking_id=booking.id))
        db.session.flush()
    return booking


def add_session(unit: Unit, host: User, day: date, hour: int = 8, minutes: int = 210,
                **fields):
    """A session on a local ``day`` at ``hour`` (written directly, any date, past too)."""
    from app.schedules.models import ReceptionSession

    starts = to_utc_naive(datetime(day.year, day.month, day.day, hour))
    values = {"kind": "periodic", "slot_minutes": 20, "mode": "online", "status": "scheduled"}
    values.update(fields)
    reception = ReceptionSession(unit_id=unit.id, host_id=host.id, starts_at=starts,
                                 ends_at=starts + timedelta(minutes=minutes), **values)
    db.session.add(reception)
    db.session.flush()
    return reception


# ---- scenes ------------------------------------------------------------------------------

@dataclass
class Place:
    """A province with one commune, their chairmen, a secretary and a deputy."""

    province: Unit
    commune: Unit
    chairman: User
    commune_chairman: User
    secretary: User
    deputy: User


def make_place() -> Place:
    """Province 08 with one commune (not 124: tests stay fast); the schedules, sessions
    and calendar tests are set here (fixture ``place``)."""
    province = make_unit("08", name="Tuyên Quang")
    commune = make_unit("02269", level="commune", parent=province, name="Xã Thượng Lâm")
    return Place(
        province=province, commune=commune,
        chairman=make_user("host", unit=province, full_name="Nguyễn Văn Sơn"),
        commune_chairman=make_user("host", unit=commune, full_name="Vũ Minh Quang"),
        secretary=make_user("secretary", unit=province, full_name="Đỗ Thị Thu"),
        deputy=make_user("deputy", unit=province, full_name="Trần Văn Phó"))


def schedule_body(place: Place, **overrides) -> dict:
    """A valid POST /schedules body for the province chairman, starting in two weeks."""
    start = local_today() + timedelta(days=14)
    data = {"unit_code": place.province.code, "host_id": place.chairman.id,
            "rrule": "FREQ=MONTHLY;BYDAY=3TU", "start_time": "08:00",
            "duration_minutes": 210, "slot_minutes": 20, "mode": "online",
            "valid_from": start.isoformat(),
            "valid_until": (start + timedelta(days=364)).isoformat(),
            "holiday_policy": "shift"}
    data.update(overrides)
    return data


def fixed_schedule_body(place: Place, rrule: str, first: date, last: date,
                        policy: str = "shift") -> dict:
    """A POST /schedules body with its own rule and validity period."""
    return schedule_body(place, rrule=rrule, valid_from=first.isoformat(),
                         valid_until=last.isoformat(), holiday_policy=policy)


@dataclass
class Scene:
    """A province unit with host and secretary, an online session and two citizens."""

    unit: Unit
    host: User
    secretary: User
    reception: object
    citizen: User
    other_citizen: User


def build_scene(**reception_options) -> Scene:
    """The booking tests' scene (fixture ``scene``), flushed; ``reception_options`` go to
    make_reception."""
    unit = make_unit()
    host = make_user("host", unit=unit, full_name="Chủ Tịch Tỉnh")
    secretary = make_user("secretary", unit=unit)
    reception = make_reception(unit, host, **reception_options)
    citizen = make_user(full_name="Nguyễn Văn An", phone="+84912345678", cccd="008190004321")
    return Scene(unit, host, secretary, reception, citizen, make_user())


def booking_body(reception, slot_index: int | None = 0, **overrides) -> dict:
    """A valid POST /bookings body for ``reception`` (first slot unless told)."""
    data = {"session_id": reception.id,
            "matter": {"type": "kien_nghi", "field": "dat_dai",
                       "summary": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất."},
            "consents": {"recording": True}}
    if slot_index is not None:
        start = reception.starts_at + timedelta(minutes=slot_index * reception.slot_minutes)
        data["slot_start"] = iso_local(start)
    data.update(overrides)
    return data


@dataclass
class World:
    """Every role around one accepted case."""

    unit: Unit
    commune: Unit
    other_unit: Unit
    agency: Agency
    other_agency: Agency
    host: User
    secretary: User
    other_secretary: User
    officer: User
    other_officer: User
    inspector: User
    admin: User
    citizen: User
    other_citizen: User
    reception: object
    booking: object


def build_world(*, starts_in_minutes: int = 60 * 24 * 10, **booking) -> World:
    """The minutes, tasks and reports tests' world (fixture ``world``): a province with a
    commune, an agency with its officer and another agency, the host of a session,
    secretaries of the unit and of another unit, an inspector, an administrator, the
    citizen of an accepted booking (``booking`` overrides make_booking's) and another
    citizen."""
    unit = make_unit("08", name="Tuyên Quang", division_type="tỉnh")
    commune = make_unit("02269", level="commune", parent=unit, name="Xã Thượng Lâm",
                        division_type="xã")
    other_unit = make_unit("01", name="Hà Nội", division_type="thành phố trung ương")
    agency = make_agency(unit, "SXD", "Sở Xây dựng")
    other_agency = make_agency(unit, "TTT", "Thanh tra tỉnh")
    host = make_user("host", unit=unit, full_name="Trần Văn Chủ")
    citizen = make_user(full_name="Nguyễn Văn An", cccd="008090001234",
                        address="Số 1 đường Chiến Thắng, Tuyên Quang")
    reception = make_reception(unit, host, starts_in_minutes=starts_in_minutes)
    booking.setdefault("summary", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất")
    return World(
        unit=unit, commune=commune, other_unit=other_unit, agency=agency,
        other_agency=other_agency, host=host,
        secretary=make_user("secretary", unit=unit),
        other_secretary=make_user("secretary", unit=other_unit),
        officer=make_user("officer", unit=unit, agency=agency),
        other_officer=make_user("officer", unit=unit, agency=other_agency),
        inspector=make_user("inspector", unit=unit),
        admin=make_user("admin"),
        citizen=citizen, other_citizen=make_user(),
        reception=reception, booking=make_booking(reception, citizen, **booking),
    )
