"""Telegram's pace: replies go before waiting outbox sends, chats run concurrently in order."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import Update
from telegram.error import RetryAfter

from bot.channels.telegram_pace import ChatOrder, PacedLimiter, bulk
from tests.support.fakebot import text_update


class FakeTime:
    """A monotonic clock that sleeps by jumping ahead (yielding to the loop once)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def limiter(rate: float = 10.0) -> tuple[PacedLimiter, FakeTime]:
    clock = FakeTime()
    return PacedLimiter(rate, monotonic=clock, sleep=clock.sleep), clock


async def _send(
    pace: PacedLimiter, order: list[str], name: str, *, is_bulk: bool, urgent: bool = False
) -> None:
    async def call() -> bool:
        order.append(name)
        return True

    if is_bulk:
        with bulk(urgent=urgent):
            await pace.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None)
    else:
        await pace.process_request(call, (), {}, "sendMessage", {"chat_id": 2}, None)


async def test_a_waiting_reply_goes_before_waiting_bulk_sends() -> None:
    pace, _ = limiter()
    order: list[str] = []
    wave = [asyncio.create_task(_send(pace, order, f"b{i}", is_bulk=True)) for i in range(5)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(_send(pace, order, "reply", is_bulk=False))
    await asyncio.gather(*wave, reply)
    # The first bulk send had its slot at once; the reply takes the next one.
    assert order == ["b0", "reply", "b1", "b2", "b3", "b4"]
    assert pace.granted == {"reply": 1, "bulk": 5}


async def test_an_urgent_outbox_send_goes_before_waiting_replies_and_bulk() -> None:
    """At the rush replies alone fill the cap: an alert about a fire must not wait for them."""
    pace, _ = limiter()
    order: list[str] = []
    first = [asyncio.create_task(_send(pace, order, "b0", is_bulk=True))]
    await asyncio.sleep(0)
    replies = [asyncio.create_task(_send(pace, order, f"r{i}", is_bulk=False)) for i in range(3)]
    wave = [asyncio.create_task(_send(pace, order, f"b{i}", is_bulk=True)) for i in (1, 2)]
    await asyncio.sleep(0)
    alert = asyncio.create_task(_send(pace, order, "alert", is_bulk=True, urgent=True))
    await asyncio.gather(*first, *replies, *wave, alert)
    assert order == ["b0", "alert", "r0", "r1", "r2", "b1", "b2"]
    assert pace.granted == {"reply": 3, "bulk": 3, "urgent": 1}


async def test_slots_are_spaced_at_the_rate() -> None:
    pace, clock = limiter(rate=10.0)
    start = clock.now
    stamps: list[float] = []
    for _ in range(4):
        await pace.acquire()
        stamps.append(round(clock.now - start, 3))
    assert stamps == [0.0, 0.1, 0.2, 0.3]


async def test_calls_without_a_chat_are_not_paced() -> None:
    pace, clock = limiter(rate=1.0)
    pace.pause(60)

    async def answer() -> bool:
        return True

    assert await pace.process_request(answer, (), {}, "answerCallbackQuery", {}, None)
    assert clock.now == 100.0


async def test_flood_control_pauses_every_lane_and_is_raised() -> None:
    pace, clock = limiter()

    async def refused() -> bool:
        raise RetryAfter(timedelta(seconds=7))

    with pytest.raises(RetryAfter):
        await pace.process_request(refused, (), {}, "sendMessage", {"chat_id": 3}, None)
    before = clock.now
    await pace.acquire(lane="bulk")
    assert clock.now - before >= 7


async def test_one_chat_in_order_other_chats_meanwhile() -> None:
    processor = ChatOrder(8)
    log: list[str] = []
    first_may_end = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"{name} start")
        if wait is not None:
            await wait.wait()
        log.append(f"{name} end")

    def update(user: int) -> Any:
        return Update.de_json(text_update(user, "x"), None)

    tasks = [
        asyncio.create_task(processor.process_update(update(1), handle("1a", first_may_end))),
        asyncio.create_task(processor.process_update(update(1), handle("1b"))),
        asyncio.create_task(processor.process_update(update(2), handle("2a"))),
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    assert log == ["1a start", "2a start", "2a end"]  # chat 2 did not wait for chat 1
    first_may_end.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["1a end", "1b start", "1b end"]


async def test_shutting_down_cancels_whoever_still_waits_for_a_slot() -> None:
    pace, _ = limiter(rate=1.0)
    pace.pause(60)  # nobody gets a slot before the shutdown
    waiting = asyncio.create_task(pace.acquire(lane="bulk"))
    await asyncio.sleep(0)
    await pace.shutdown()
    with pytest.raises(asyncio.CancelledError):
        await waiting
