"""The cyclic collector's pause: off inside, on again after the last of overlapping pauses,
and left off when something else had turned it off."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from bot.core.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still in progress
    assert gc.isenabled()


def test_it_is_on_again_after_a_failure_inside() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("the tally failed")
    assert gc.isenabled()


async def test_overlapping_pauses_end_with_the_last_whichever_began_first() -> None:
    first_may_end, second_began = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        with collector_paused():
            await first_may_end.wait()

    async def second() -> None:
        with collector_paused():
            second_began.set()
            await asyncio.sleep(0)
        assert not gc.isenabled()  # the first one still runs
        first_may_end.set()

    await asyncio.gather(first(), second())
    assert second_began.is_set()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
