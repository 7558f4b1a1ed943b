"""Turns: the first lane is served before ordinary waiters, each lane in arrival order, and
cancelled waiters neither keep their place nor swallow the turn."""

from __future__ import annotations

import asyncio

import pytest

from storage.turns import Turns


async def _queue(task: asyncio.Task[None]) -> None:
    """Let a freshly created task run until it waits for its turn."""
    for _ in range(3):
        await asyncio.sleep(0)
    assert not task.done()


async def test_first_lane_goes_before_ordinary_waiters_each_lane_in_arrival_order() -> None:
    turns = Turns()
    await turns.acquire()
    order: list[str] = []

    async def take(name: str, first: bool) -> None:
        await turns.acquire(first=first)
        order.append(name)
        turns.release()

    tasks = []
    for name, first in [("a", False), ("b", False), ("mark 1", True), ("mark 2", True)]:
        tasks.append(asyncio.create_task(take(name, first)))
        await _queue(tasks[-1])
    assert turns.waiting == (2, 2)
    turns.release()
    await asyncio.gather(*tasks)
    assert order == ["mark 1", "mark 2", "a", "b"]
    assert not turns.held


async def test_a_cancelled_waiter_gives_its_place_up() -> None:
    turns = Turns()
    await turns.acquire()
    gone = asyncio.create_task(turns.acquire(first=True))
    after = asyncio.create_task(turns.acquire())
    await _queue(gone)
    await _queue(after)
    gone.cancel()
    turns.release()
    await after  # the turn went past the cancelled waiter
    assert turns.held and turns.waiting == (0, 0)
    turns.release()
    assert not turns.held


async def test_a_waiter_cancelled_just_as_it_got_the_turn_passes_it_on() -> None:
    turns = Turns()
    await turns.acquire()
    first = asyncio.create_task(turns.acquire())
    second = asyncio.create_task(turns.acquire())
    await _queue(first)
    await _queue(second)
    turns.release()  # handed to `first`, which has not run yet
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    assert turns.held
    turns.release()
    assert not turns.held
