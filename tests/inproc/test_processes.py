"""Two bot processes on one database file (two applications in this test, one SQLite file in
WAL mode): the outbox rows each claims, what happens when one dies, one chat at a time, and
scheduled slots planned once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.cluster import identity
from bot.cluster.presence import Presence
from bot.core.clock import ManualClock, iso
from bot.outbox.ratelimit import RateLimiter
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import outbox
from tests.support.harness import START, TEAM_A, Harness, make_harness
from tests.unit.test_schedule_maths import FakeTime


def presence(h: Harness) -> Presence:
    assert h.runtime.presence is not None
    return h.runtime.presence


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    """Two processes sharing the database file and the (manual) clock, both registered."""
    clock = ManualClock(START)
    first = await make_harness(tmp_path, clock)
    second = await make_harness(tmp_path, clock)
    for h in (first, second):
        await h.runtime.join(beating=False)
    try:
        yield first, second
    finally:
        await second.close()
        await first.close()


async def claim_all(h: Harness, owner: str | None) -> list[int]:
    """What a sender does when it starts a round: claim every due row in `owner`'s name."""
    async with h.db.transaction() as tx:
        rows = await tx.fetchall("SELECT id FROM outbox WHERE status = 'pending' ORDER BY id")
        ids = [int(row["id"]) for row in rows]
        return sorted(await outbox.claim(tx, ids, owner=owner, now_iso=iso(h.clock.now())))


async def test_a_living_process_keeps_its_rows_and_a_dead_ones_are_sent_once(
    pair: tuple[Harness, Harness],
) -> None:
    first, second = pair
    for chat in (1, 2, 3):
        await first.enqueue(f"m{chat}", chat)
    assert len(await claim_all(first, presence(first).process_id)) == 3

    assert await second.sender.recover() == 0  # the first one is sending them right now
    assert await second.drain() == 0
    await presence(second).beat()
    assert await second.count("SELECT COUNT(*) FROM outbox WHERE status = 'sending'") == 3

    first.clock.advance(seconds=first.config.cluster.dead_after_seconds + 1)  # no beat since
    presence(second).replayers["telegram"] = second.channel.replay  # as serve() does
    await presence(second).beat()  # the first is dead: its rows go back in the queue
    assert await second.count("SELECT COUNT(*) FROM processes") == 1
    await second.drain()
    assert sorted(m.text for m in second.api.sent) == ["tin m1", "tin m2", "tin m3"]
    assert first.api.sent == []
    assert await second.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 3


async def test_a_restart_on_the_same_machine_takes_back_a_killed_process_rows_at_once(
    tmp_path: Path,
) -> None:
    clock = ManualClock(START)
    h = await make_harness(tmp_path, clock)
    try:
        gone = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            check=True,
            capture_output=True,
            text=True,
        )
        dead_pid = int(gone.stdout)
        await h.enqueue("m1", 1)
        now = iso(clock.now())
        async with h.db.transaction() as tx:  # its beat is fresh, but its pid is gone
            await tx.execute(
                "INSERT INTO processes VALUES ('killed', ?, ?, '12345', ',telegram,', ?, ?)",
                (identity.node(), dead_pid, now, now),
            )
        await claim_all(h, "killed")
        await h.runtime.join(beating=False)
        assert await h.sender.recover() == 1
        await h.drain()
        assert [m.text for m in h.api.sent] == ["tin m1"]
    finally:
        await h.close()


async def test_a_chat_is_sent_to_by_one_process_at_a_time(pair: tuple[Harness, Harness]) -> None:
    first, second = pair
    await first.enqueue("a1", 1)
    await first.enqueue("a2", 1)  # the same chat
    await first.enqueue("b1", 2)
    async with first.db.transaction() as tx:
        row = await tx.fetchone("SELECT id FROM outbox WHERE dedupe_key = 'a1'")
        assert row is not None
        await outbox.claim(tx, [int(row["id"])], owner=presence(first).process_id)
    await second.drain()
    assert [m.text for m in second.api.sent] == ["tin b1"]  # not a2 while a1 is in flight
    assert (
        await second.count(
            "SELECT COUNT(*) FROM outbox WHERE dedupe_key = 'a2' AND status = 'pending'"
        )
        == 1
    )


async def test_the_rate_of_a_bot_is_divided_and_a_newcomer_waits(tmp_path: Path) -> None:
    """The sum of the shares never exceeds the rate: a process alone takes all of it; a
    second one waits two heartbeats (by then the first has seen it) and each takes half;
    when one leaves, the other takes the whole rate again at its next beat."""
    clock = ManualClock(START)
    first = await make_harness(tmp_path, clock)
    second = await make_harness(tmp_path, clock)
    fake = FakeTime()
    for h in (first, second):
        h.sender.limiter = RateLimiter(20, 1, monotonic=fake.monotonic, sleep=fake.sleep)
    try:
        await first.runtime.join(beating=False)
        assert first.sender.limiter.interval == pytest.approx(1 / 20)
        assert first.sender.limiter.paused_for == 0

        await second.runtime.join(beating=False)
        wait = 2 * second.config.cluster.heartbeat_seconds
        assert second.sender.limiter.interval == pytest.approx(1 / 10)
        assert second.sender.limiter.paused_for == pytest.approx(wait)
        await presence(first).beat()
        assert first.sender.limiter.interval == pytest.approx(1 / 10)
        assert first.sender.limiter.paused_for == 0

        await second.close()
        await presence(first).beat()
        assert first.sender.limiter.interval == pytest.approx(1 / 20)
    finally:
        await first.close()


def test_a_share_not_renewed_stops_the_sends() -> None:
    """A process that could not beat does not know how many others send: it waits."""
    fake = FakeTime()
    limiter = RateLimiter(20, 1, monotonic=fake.monotonic, sleep=fake.sleep)
    limiter.share(0.5, valid_for=4.0)
    start = fake.now

    async def five() -> None:
        for _ in range(5):
            await limiter.acquire()

    asyncio.run(five())
    assert fake.now - start == pytest.approx(0.4)  # 10 a second: half of 20
    fake.now = start + 4.5  # past the share's validity, no heartbeat meanwhile
    limiter.sleep = _no_time(fake)

    async def blocked() -> bool:
        waiting = asyncio.create_task(limiter.acquire())
        for _ in range(20):
            await asyncio.sleep(0)
        stuck = not waiting.done()
        limiter.share(0.5, valid_for=4.0)  # the next heartbeat
        await waiting
        return stuck

    assert asyncio.run(blocked())


def _no_time(fake: FakeTime) -> Callable[[float], Awaitable[None]]:
    """A sleep that lets other tasks run but moves no time (so the share stays lapsed)."""

    async def sleep(seconds: float) -> None:
        fake.sleeps.append(seconds)
        await asyncio.sleep(0)

    return sleep


async def test_two_processes_plan_a_slot_once(pair: tuple[Harness, Harness]) -> None:
    first, second = pair
    for uid in (1, 2, 3):
        await first.add_member(uid, f"Thành viên {uid}", "member", TEAM_A)
    plannings = [Planning(h.runtime.services, jobs_from(h.config, h.clock.tz)) for h in pair]
    first.clock.set(START.replace(hour=19, minute=0, tzinfo=first.clock.tz))
    queued = await asyncio.gather(*(p.tick() for p in plannings))
    assert sorted(queued) == [0, 3]  # one planned the reminders, the other found it taken
    assert (
        await first.count("SELECT COUNT(*) FROM schedule_slots WHERE job = 'remind' AND queued = 3")
        == 1
    )
    await first.drain()
    await second.drain()
    reminders = [m for m in first.api.sent + second.api.sent if "Nhắc báo cáo" in m.text]
    assert sorted(m.chat_id for m in reminders) == [1, 2, 3]
