"""Fixtures of the tasks tests."""

import pytest

from tests.minutes.world import build_world


@pytest.fixture
def world(make):
    """Every role around one accepted case (tests/minutes/world.py)."""
    return build_world(make)
