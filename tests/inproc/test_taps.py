"""The tap goals of issue 12, counted on the real application: a routine patrol in 4 messages,
any patrol in 7 with one typed answer, "nothing to report" in 1, on Telegram and on Zalo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fakezalo import FakeZalo
from tests.support.taps import FIRST, ROUTINE, Count, measure_all, telegram, zalo


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


def _goals(counts: list[Count]) -> None:
    by = {(c.kind, c.when): c for c in counts}
    assert by["patrol", "routine"].messages <= 4
    assert by["patrol", "first"].messages <= 7
    assert by["patrol", "first"].typed <= 1
    assert by["nil", "first"].messages == 1
    assert len(counts) == len(FIRST) + len(ROUTINE)


async def test_tap_goals_on_telegram(tmp_path: Path) -> None:
    async with telegram(tmp_path) as driver:
        _goals(await measure_all(driver))


async def test_tap_goals_on_zalo(tmp_path: Path, fake: FakeZalo) -> None:
    async with zalo(tmp_path, fake) as driver:
        _goals(await measure_all(driver))
