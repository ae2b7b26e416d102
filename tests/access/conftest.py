from __future__ import annotations

import pytest

from tests.access.world import World, build_world
from tests.factories import Factory


@pytest.fixture
def world(make: Factory) -> World:
    return build_world(make)
