"""The points' world (tests/points/conftest.py) for the desk's tests."""

from __future__ import annotations

import pytest

from tests.points.conftest import build_points


@pytest.fixture
def points(make):
    return build_points()
