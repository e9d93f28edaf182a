"""Demo data (CONTRACT §2): seeded only into an empty database, never in production."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from .auth.models import RoleAssignment, User
from .auth.services import hash_password
from .extensions import db
from .points.models import PointKind, ReceptionPoint
from .rulebook.services import seed_rules
from .timeutil import utcnow
from .units.models import Agency, Unit
from .units.services import import_units, unit_by_code

DEMO_PASSWORD = "demo1234"
PROVINCE = "08"
DEMO_COMMUNE_NAME = "Phường Minh Xuân"
AGENCIES = (("SNNMT", "Sở Nông nghiệp và Môi trường"), ("SXD", "Sở Xây dựng"),
            ("TTT", "Thanh tra tỉnh"))
CITIZENS = (
    ("Nguyễn Văn An", "Tổ 5, phường Minh Xuân, tỉnh Tuyên Quang", "008085001234", date(1985, 3, 2)),
    ("Trần Thị Bình", "Thôn Đồng Cầu, xã Yên Sơn, tỉnh Tuyên Quang", "008190004321", date(1990, 7, 15)),
    ("Lê Văn Cường", "Tổ 12, phường An Tường, tỉnh Tuyên Quang", "008062007788", date(1962, 11, 20)),
    ("Phạm Thị Dung", "Thôn Làng Là, xã Hàm Yên, tỉnh Tuyên Quang", "008178003456", date(1978, 1, 9)),
    ("Hoàng Văn Em", "Tổ 3, phường Nông Tiến, tỉnh Tuyên Quang", "008201009876", date(2001, 5, 30)),
)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))


def _user(email: str, full_name: str, roles: list[dict], **extra) -> User:
    user = User(email=email, full_name=full_name, password_hash=hash_password(DEMO_PASSWORD),
                consent_data_at=utcnow(), **extra)
    for role in roles:
        user.roles.append(RoleAssignment(**role))
    db.session.add(user)
    return user


def demo_commune() -> Unit:
    province = unit_by_code(PROVINCE)
    unit = db.session.scalar(select(Unit).where(Unit.parent_id == province.id,
                                                Unit.name == DEMO_COMMUNE_NAME))
    return unit or db.session.scalar(select(Unit).where(Unit.parent_id == province.id)
                                     .order_by(Unit.code).limit(1))


def seed_demo() -> dict:
    """Create the demo units, people, agencies and a year of schedules."""
    seed_rules()  # the rulebook (already there when the migrations ran)
    import_units([PROVINCE])
    province = unit_by_code(PROVINCE)
    commune = demo_commune()
    agencies = {}
    for code, name in AGENCIES:
        agencies[code] = Agency(unit_id=province.id, code=code, name=name)
        db.session.add(agencies[code])
    db.session.flush()
    _user("admin@demo.test", "Quản trị hệ thống", [{"role": "admin"}])
    _user("thuky@demo.test", "Đỗ Thị Thu", [{"role": "secretary", "unit_id": province.id}],
          title="Thư ký Ban Tiếp công dân tỉnh")
    chairman = _user("chutich@demo.test", "Nguyễn Văn Sơn",
                     [{"role": "host", "unit_id": province.id}],
                     title="Chủ tịch UBND tỉnh Tuyên Quang")
    commune_chairman = _user("chutichxa@demo.test", "Vũ Minh Quang",
                             [{"role": "host", "unit_id": commune.id}],
                             title=f"Chủ tịch UBND {commune.name}")
    _user("canbo@demo.test", "Lý Văn Hùng",
          [{"role": "officer", "unit_id": province.id, "agency_id": agencies["SNNMT"].id}],
          title="Chuyên viên Sở Nông nghiệp và Môi trường")
    for i, (name, address, cccd, born) in enumerate(CITIZENS, start=1):
        _user(f"congdan{i}@demo.test", name, [{"role": "citizen"}], phone=f"+8490000000{i}",
              address=address, cccd=cccd, birth_date=born, consent_recording_at=utcnow())
    db.session.flush()
    _seed_points(province, commune)
    sessions = _seed_schedules(province, chairman, commune, commune_chairman)
    return {"units": db.session.scalar(select(func.count(Unit.id))), "sessions": sessions}


CENTRAL_POINT_NAME = "Điểm cầu trung tâm – Trụ sở tiếp công dân tỉnh"


def _point(unit: Unit, kind: str, name: str, address: str) -> ReceptionPoint:
    point = ReceptionPoint(code=f"DC-{unit.code}", unit_id=unit.id, kind=kind, name=name,
                           address=address)
    db.session.add(point)
    return point


def _seed_points(province: Unit, commune: Unit) -> None:
    """The province's central point, satellite points at the demo commune and at another
    commune of the province, and the operator of the demo commune's point."""
    _point(province, PointKind.CENTRAL, CENTRAL_POINT_NAME,
           "Trụ sở tiếp công dân tỉnh Tuyên Quang")
    other = db.session.scalar(select(Unit).where(Unit.parent_id == province.id,
                                                 Unit.id != commune.id).order_by(Unit.code))
    satellites = [_point(unit, PointKind.SATELLITE, f"Điểm cầu UBND {unit.name}",
                         f"Trụ sở UBND {unit.name}, tỉnh Tuyên Quang")
                  for unit in (commune, other) if unit is not None]
    db.session.flush()
    _user("diemcau@demo.test", "Hà Thị Lan",
          [{"role": "operator", "unit_id": commune.id, "point_id": satellites[0].id}],
          title=f"Cán bộ điểm cầu UBND {commune.name}")


def _seed_schedules(province, chairman, commune, commune_chairman) -> int:
    from .schedules.models import HolidayPolicy, SessionMode
    from .schedules.services import create_schedule
    from .timeutil import local_today

    today = local_today()
    until = date(today.year + 1, today.month, min(today.day, 28))
    count = 0
    for unit, host, rule in ((province, chairman, "FREQ=MONTHLY;BYDAY=3TU"),
                             (commune, commune_chairman, "FREQ=MONTHLY;BYDAY=2WE,4WE")):
        schedule, _warnings = create_schedule({
            "unit_code": unit.code, "host_id": host.id, "rrule": rule, "start_time": "08:00",
            "duration_minutes": 210, "slot_minutes": 20, "mode": SessionMode.ONLINE,
            "valid_from": today.isoformat(), "valid_until": until.isoformat(),
            "holiday_policy": HolidayPolicy.SHIFT}, actor=None)
        count += len(schedule.sessions)
    return count


DEMO_ACCOUNTS = (
    ("admin@demo.test", "admin"), ("thuky@demo.test", "secretary / thư ký"),
    ("chutich@demo.test", "chairman of the province / Chủ tịch UBND tỉnh"),
    ("chutichxa@demo.test", "chairman of a commune / Chủ tịch UBND xã"),
    ("canbo@demo.test", "officer of SNNMT / cán bộ Sở"),
    ("congdan1@demo.test … congdan5@demo.test", "citizens / công dân"),
    ("diemcau@demo.test", "operator of a reception point / cán bộ điểm cầu"),
)


def print_demo_accounts(app) -> None:
    """On start-up in development, say which demo accounts exist (password demo1234)."""
    if not app.config["SEED_ALLOWED"]:
        return
    with app.app_context():
        if not db.session.scalar(select(User.id).where(User.email == "admin@demo.test")):
            return
    print(f"\nDemo accounts (password {DEMO_PASSWORD}, demo only):")
    for login, role in DEMO_ACCOUNTS:
        print(f"  {login:42} {role}")
    print()
