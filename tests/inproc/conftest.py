"""Fixtures for in-process tests: the real application on a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.inproc.police_world import People, enrol
from tests.support.harness import Harness, make_harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(tmp_path)
    yield harness
    await harness.close()


@pytest.fixture
async def people(h: Harness) -> People:
    """The people of the urgent-report tests (tests/inproc/police_world.py)."""
    return await enrol(h)
