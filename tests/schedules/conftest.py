"""Fixtures of the schedules tests."""

import pytest

from tests.schedules.helpers import make_place


@pytest.fixture
def place(make):
    """Province 08, one commune, both chairmen, a secretary and a deputy."""
    return make_place(make)
