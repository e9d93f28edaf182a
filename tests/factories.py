"""Factories with defaults: make_x(**overrides) creates and flushes one object."""

from __future__ import annotations

import itertools

from app.auth.models import RoleAssignment, User
from app.auth.services import hash_password, issue_token
from app.extensions import db
from app.timeutil import utcnow
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
    """Sign ``user`` in on a Flask test client (the Flask-Login session cookie)."""
    key = web_login_key(user)
    with client.session_transaction() as cookie:
        cookie["_user_id"] = key
        cookie["_fresh"] = True


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
    from datetime import timedelta

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
    from datetime import timedelta

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
