"""flask create-admin: the first administrator of a production installation."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.services import authenticate
from app.extensions import db


def _run(app, *args, password="Quan-tri-2026"):
    return app.test_cli_runner().invoke(args=["create-admin", *args],
                                        input=f"{password}\n{password}\n")


def test_create_admin_makes_an_administrator_who_can_log_in(app):
    result = _run(app, "--email", " QuanTri@Tinh.gov.vn ", "--name", "Quản trị hệ thống")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    admin = db.session.scalar(select(User).where(User.email == "quantri@tinh.gov.vn"))
    assert admin.role_names == ["admin"] and admin.full_name == "Quản trị hệ thống"
    assert authenticate("quantri@tinh.gov.vn", "Quan-tri-2026") is admin
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target == f"user:{admin.id}")) == "create_admin"


def test_create_admin_refuses_a_weak_password_and_a_taken_email(app, make):
    weak = _run(app, "--email", "a@tinh.gov.vn", "--name", "A", password="12345678")
    assert weak.exit_code != 0 and "Mật khẩu" in weak.output
    make.make_user("citizen", email="b@tinh.gov.vn")
    db.session.commit()
    taken = _run(app, "--email", "b@tinh.gov.vn", "--name", "B")
    assert taken.exit_code != 0 and "already exists" in taken.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "a@tinh.gov.vn")) is None
