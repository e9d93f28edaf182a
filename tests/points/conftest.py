"""A province with two communes and their reception points, an operator per satellite
point, and an online session of the province whose room is open."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.points.models import ReceptionPoint
from tests import factories as make


@dataclass
class Points:
    province: object
    commune: object
    other_commune: object
    central: ReceptionPoint
    point_a: ReceptionPoint
    point_b: ReceptionPoint
    operator_a: object
    operator_b: object
    host: object
    secretary: object
    reception: object
    citizen: object


def make_point(unit, code: str, kind: str = "satellite", **fields) -> ReceptionPoint:
    point = ReceptionPoint(code=code, unit_id=unit.id, kind=kind,
                           name=fields.pop("name", f"Điểm cầu {code}"),
                           address=fields.pop("address", f"Trụ sở {code}"), **fields)
    db.session.add(point)
    db.session.flush()
    return point


def make_operator(point: ReceptionPoint, **fields):
    user = make.make_user("operator", unit=point.unit, **fields)
    user.roles[0].point_id = point.id
    db.session.flush()
    return user


def build_points(starts_in_minutes: int = 30) -> Points:
    province = make.make_unit("08", name="Tuyên Quang")
    commune = make.make_unit("02269", level="commune", parent=province, name="Xã Thượng Lâm")
    other = make.make_unit("02270", level="commune", parent=province, name="Xã Lăng Can")
    central = make_point(province, "DC-08", "central",
                         name="Điểm cầu trung tâm – Trụ sở tiếp công dân tỉnh")
    point_a = make_point(commune, "DC-02269", name="Điểm cầu UBND xã Thượng Lâm",
                         address="Thôn Nà Liềng, xã Thượng Lâm")
    point_b = make_point(other, "DC-02270", name="Điểm cầu UBND xã Lăng Can")
    host = make.make_user("host", unit=province, full_name="Trần Văn Chủ")
    reception = make.make_reception(province, host, starts_in_minutes=starts_in_minutes,
                                    duration_minutes=240)
    return Points(province, commune, other, central, point_a, point_b,
                  make_operator(point_a, full_name="Hà Thị Lan"),
                  make_operator(point_b, full_name="Lò Văn Bình"), host,
                  make.make_user("secretary", unit=province), reception,
                  make.make_user(full_name="Nguyễn Văn An", cccd="008085001234",
                                 address="Tổ 5, xã Thượng Lâm"))


@pytest.fixture
def points(make):
    return build_points()
