"""The outbox sender against a misbehaving Bot API: a user who blocked the bot, flood
control (429 retry_after), server errors with backoff and give-up, stale reminders."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from bot.core.clock import iso
from bot.core.config import Config
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.sender import OutboxSender, SendPolicy
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import outbox
from tests.support.harness import TEAM_A, TEAM_B, Harness

RETRY_AFTER = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 7",
    "parameters": {"retry_after": 7},
}
BAD_GATEWAY = {"ok": False, "error_code": 502, "description": "Bad Gateway"}


async def queue(h: Harness, key: str, chat: int, *, expires: datetime | None = None) -> int:
    """Put one plain message in the outbox, due now."""
    return await h.enqueue(key, chat, expires=expires)


async def row(h: Harness, outbox_id: int) -> dict[str, object]:
    """The outbox row as a dict."""
    async with h.db.read() as tx:
        found = await outbox.get(tx, outbox_id)
    assert found is not None
    return dataclasses.asdict(found)


async def test_a_user_who_blocked_the_bot_is_marked_unreachable_and_skipped_after(
    h: Harness,
) -> None:
    blocked = await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Vi Thị Em", "member", TEAM_B)
    h.api.blocked.add(1)
    first = await queue(h, "a", 1)
    second = await queue(h, "b", 1)
    await h.drain()
    assert (await row(h, first))["status"] == "unreachable"
    assert (await row(h, second))["status"] == "unreachable"  # not tried: the chat is blocked
    assert len([c for c in h.api.calls if c[0] == "sendMessage"]) == 1
    assert (
        await h.count(
            "SELECT COUNT(*) FROM identities WHERE member_id = ? AND unreachable_at IS NOT NULL",
            (blocked,),
        )
        == 1
    )
    h.clock.set(datetime(2026, 11, 23, 19, 0, tzinfo=h.clock.tz))
    planning = Planning(h.runtime.services, jobs_from(h.config, h.clock.tz))
    assert await planning.tick() == 1  # the evening reminder: only the reachable member
    h.api.blocked.clear()
    await h.user(1).send("/menu")  # they unblocked the bot and wrote: reachable again
    assert (
        await h.count(
            "SELECT COUNT(*) FROM identities WHERE member_id = ? AND unreachable_at IS NULL",
            (blocked,),
        )
        == 1
    )


async def test_flood_control_waits_retry_after_without_spending_an_attempt(h: Harness) -> None:
    seconds = [100.0]  # the limiter's monotonic clock, moved by hand
    h.sender.limiter = RateLimiter(None, None, monotonic=lambda: seconds[0])
    outbox_id = await queue(h, "flood", 5)
    h.api.fail_next["sendMessage"] = (429, RETRY_AFTER)
    await h.drain()
    state = await row(h, outbox_id)
    assert state["status"] == "pending" and state["attempts"] == 0
    assert state["not_before"] == iso(h.clock.now() + timedelta(seconds=7))
    assert h.sender.limiter.paused_for == 7  # the whole channel waits, not only this chat
    seconds[0] += 7
    h.clock.advance(seconds=7)
    await h.drain()
    assert (await row(h, outbox_id))["status"] == "sent"
    assert [m.text for m in h.api.chat(5)] == ["tin flood"]


async def test_server_errors_back_off_then_give_up(h: Harness) -> None:
    sender = h.sender
    sender.policy = SendPolicy(max_attempts=3, backoff_seconds=10, backoff_max_seconds=60)
    outbox_id = await queue(h, "flaky", 6)
    delays = []
    for attempt in (1, 2):
        h.api.fail_next["sendMessage"] = (502, BAD_GATEWAY)
        await h.drain()
        state = await row(h, outbox_id)
        assert state["status"] == "pending" and state["attempts"] == attempt
        assert "NetworkError" in str(state["last_error"])
        due = datetime.fromisoformat(str(state["not_before"]))
        delays.append((due - h.clock.now()).total_seconds())
        assert await h.drain() == 0  # nothing before the backoff ends
        h.clock.set(due)
    assert 8 <= delays[0] <= 12 and 16 <= delays[1] <= 24  # exponential, with a spread
    h.api.fail_next["sendMessage"] = (502, BAD_GATEWAY)
    await h.drain()
    state = await row(h, outbox_id)
    assert state["status"] == "given_up" and state["attempts"] == 3
    assert h.api.chat(6) == []


async def test_a_reminder_past_its_deadline_expires_instead_of_being_sent(h: Harness) -> None:
    outbox_id = await queue(h, "late", 7, expires=h.clock.now() + timedelta(minutes=5))
    h.clock.advance(minutes=6)
    await h.drain()
    assert (await row(h, outbox_id))["status"] == "expired"
    assert h.api.chat(7) == []


@pytest.mark.parametrize("quiet", [("21:30", "06:30"), ("06:00", "06:00")])
async def test_quiet_hours_are_configurable_and_can_be_switched_off(
    h: Harness, quiet: tuple[str, str]
) -> None:
    config = Config.model_validate({"reminders": {"quiet_start": quiet[0], "quiet_end": quiet[1]}})
    from bot.outbox.quiet import in_quiet_hours

    rem = config.reminders
    sender = OutboxSender(
        h.db,
        h.clock,
        h.channel,
        policy=SendPolicy(),
        quiet=lambda moment: in_quiet_hours(moment, rem.quiet_start, rem.quiet_end),
    )
    h.clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=h.clock.tz))
    await queue(h, "night", 8)
    await sender.drain_once()
    assert len(h.api.chat(8)) == (0 if quiet[0] != quiet[1] else 1)


async def test_a_round_claims_in_one_statement_only_rows_still_pending(h: Harness) -> None:
    kept = await queue(h, "kept", 8)
    withdrawn = await queue(h, "withdrawn", 9)
    async with h.db.transaction() as tx:
        assert await outbox.cancel_pending(tx, withdrawn)  # e.g. an alert acknowledged meanwhile
        assert await outbox.claim(tx, [kept, withdrawn]) == {kept}
        assert await outbox.expire(tx, [withdrawn]) == 0
    assert (await row(h, kept))["status"] == "sending"
    assert (await row(h, withdrawn))["status"] == "cancelled"


async def test_a_drain_sends_every_message_of_a_chat_in_turn(h: Harness) -> None:
    """The second message waits for the first one's send; a drain must not stop in between
    because the first finished while the next round was reading what is due."""
    first = await queue(h, "first", 12)
    second = await queue(h, "second", 12)
    assert await h.drain() == 2
    assert [m.text for m in h.api.chat(12)] == ["tin first", "tin second"]
    assert (await row(h, first))["status"] == (await row(h, second))["status"] == "sent"
