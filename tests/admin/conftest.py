"""Fixtures for the administrators' services: an admin, a province with a commune."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(make):
    """An active administrator (the actor of admin services)."""
    return make.make_user("admin", full_name="Quản Trị Viên")


@pytest.fixture
def province(make):
    """A province unit with code 08."""
    return make.make_unit("08", name="Tuyên Quang")


@pytest.fixture
def commune(make, province):
    """A commune of the province, code 02266."""
    return make.make_unit("02266", level="commune", parent=province, name="Phường Minh Xuân")
