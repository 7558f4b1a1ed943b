"""Fixtures for in-process tests: the real application on a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.inproc.police_world import People, enrol
from tests.support.harness import START, Harness, make_harness
from tests.support.web import web_config


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(tmp_path)
    yield harness
    await harness.close()


@pytest.fixture
async def wh(tmp_path: Path) -> AsyncIterator[Harness]:
    """The harness with the web server on (tests/support/web.py: `browser(wh)`)."""
    harness = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def people(h: Harness) -> People:
    """The people of the urgent-report tests (tests/inproc/police_world.py)."""
    return await enrol(h)
