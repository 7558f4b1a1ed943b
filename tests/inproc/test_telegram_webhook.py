"""Telegram's webhook with two processes on one database: the secret, the journal, and each
update handled once, whichever process it is posted to and whichever dies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram_webhook import SECRET_HEADER, TelegramWebhook
from bot.cluster.presence import Presence
from bot.core.clock import ManualClock
from bot.core.config import ConfigError, load_config
from tests.support.fakebot import text_update
from tests.support.harness import START, Harness, make_harness

SECRET = "bi-mat_cua-webhook-42"
WELCOME = "Bạn chưa tham gia hệ thống báo cáo"


class Process:
    """One bot process: its application and its webhook behind a test HTTP client."""

    def __init__(self, h: Harness, client: TestClient, hook: TelegramWebhook) -> None:
        self.h = h
        self.client = client
        self.hook = hook

    @property
    def presence(self) -> Presence:
        assert self.h.runtime.presence is not None
        return self.h.runtime.presence

    async def post(self, body: Any, secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await self.client.post("/telegram/webhook", json=body, headers=headers)
        return response.status

    async def handle_queued(self) -> int:
        """What python-telegram-bot's update fetcher does with what the webhook queued."""
        app = self.h.channel.application
        handled = 0
        while not app.update_queue.empty():
            await app.process_update(app.update_queue.get_nowait())
            handled += 1
        return handled


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[tuple[Process, Process]]:
    clock = ManualClock(START)
    made: list[Process] = []
    for _ in range(2):
        h = await make_harness(tmp_path, clock)
        await h.runtime.join(beating=False)
        hook = TelegramWebhook(h.channel, SECRET)
        app = web.Application()
        app.router.add_post("/telegram/webhook", hook.handle)
        client = TestClient(TestServer(app))
        await client.start_server()
        made.append(Process(h, client, hook))
    try:
        yield made[0], made[1]
    finally:
        for process in reversed(made):
            await process.client.close()
            await process.h.close()


def welcomes(process: Process, chat: int) -> int:
    return sum(WELCOME in m.text for m in process.h.api.chat(chat))


async def test_a_post_without_the_secret_is_refused_before_its_body_is_read(
    processes: tuple[Process, Process],
) -> None:
    first, _ = processes
    for secret in (None, "sai-bi-mat-roi", SECRET[:-1]):
        assert await first.post(text_update(5, "/start"), secret) == 403
    # Not even parsed: a body that is not JSON at all gets the same 403, not a 400.
    response = await first.client.post(
        "/telegram/webhook", data=b"{not json", headers={SECRET_HEADER: "sai"}
    )
    assert response.status == 403
    assert await first.h.count("SELECT COUNT(*) FROM inbound_journal") == 0
    assert first.h.channel.application.update_queue.empty()


async def test_a_post_that_is_not_an_update_is_refused(
    processes: tuple[Process, Process],
) -> None:
    first, _ = processes
    for body in ({"message": {}}, [1, 2], {"update_id": "12"}):
        assert await first.post(body) == 400
    response = await first.client.post(
        "/telegram/webhook", data=b"{not json", headers={SECRET_HEADER: SECRET}
    )
    assert response.status == 400
    assert await first.h.count("SELECT COUNT(*) FROM inbound_journal") == 0


async def test_an_update_posted_to_both_processes_is_handled_once(
    processes: tuple[Process, Process],
) -> None:
    first, second = processes
    update = text_update(5, "/start")
    assert await first.post(update) == 200
    assert await second.post(update) == 200  # Telegram sent it again, to the other process
    assert await second.handle_queued() == 0  # dropped: the first one received it
    assert await first.handle_queued() == 1
    assert welcomes(first, 5) == 1 and welcomes(second, 5) == 0
    assert (
        await first.h.count(
            "SELECT COUNT(*) FROM inbound_journal WHERE received_by = ?",
            (first.presence.process_id,),
        )
        == 1
    )


async def test_an_update_a_dead_process_received_is_handled_by_a_living_one_once(
    processes: tuple[Process, Process],
) -> None:
    first, second = processes
    update = text_update(6, "/start")
    assert await first.post(update) == 200  # answered 200, then killed before handling it

    alive = [first.presence.process_id, second.presence.process_id]
    assert await second.h.channel.replay_journal(alive) == 0  # the first still lives
    first.h.clock.advance(seconds=first.h.config.cluster.dead_after_seconds + 1)
    second.presence.replayers["telegram"] = second.h.channel.replay
    await second.presence.beat()  # the first is dead: the second adopts and replays it
    await second.presence.settle()
    await second.presence.beat()  # read once: the dead one is forgotten, nothing replayed
    await second.presence.settle()
    assert welcomes(second, 6) == 1
    assert await first.handle_queued() == 1  # had the first lived on after all: no reply
    assert welcomes(first, 6) == 0
    assert await second.h.channel.replay_journal() == 0  # nothing left for anyone


async def test_a_post_is_answered_once_its_update_has_been_handled(
    processes: tuple[Process, Process],
) -> None:
    # Telegram posts a chat's next update only when the previous post was answered: answered
    # after handling, a chat's updates are handled in order whichever process gets them.
    first, _ = processes
    app = first.h.channel.application
    await app.start()  # its update fetcher handles what the webhook queues
    try:
        assert await first.post(text_update(7, "/start")) == 200
        assert welcomes(first, 7) == 1  # already replied when the post was answered
        assert await first.h.count("SELECT COUNT(*) FROM processed_updates") == 1
    finally:
        await app.stop()


async def test_a_post_whose_update_waits_too_long_is_answered_and_still_handled(
    processes: tuple[Process, Process],
) -> None:
    first, _ = processes
    app = first.h.channel.application
    first.hook.answer_within = 0.05
    await app.start()
    try:
        first.h.api.hold = asyncio.Event()  # Telegram is slow to take the reply
        assert await first.post(text_update(8, "/start")) == 200
        assert welcomes(first, 8) == 0  # answered while its handling still waits
        first.h.api.hold.set()
        for _ in range(500):  # the reply goes out: the update's handling ends after all
            if welcomes(first, 8):
                break
            await asyncio.sleep(0.01)
        assert welcomes(first, 8) == 1
    finally:
        await app.stop()


def test_webhook_mode_needs_a_secret_and_a_url(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\nmode = "webhook"\n', encoding="utf-8")
    env = {"ANTT_TELEGRAM_TOKEN": "123:abc"}
    with pytest.raises(ConfigError, match="ANTT_TELEGRAM_WEBHOOK_SECRET"):
        load_config(config, env)
    with pytest.raises(ConfigError, match="telegram.webhook_url: set the public HTTPS address"):
        load_config(config, {**env, "ANTT_TELEGRAM_WEBHOOK_SECRET": SECRET})
    config.write_text(
        '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.vn/telegram/webhook"\n',
        encoding="utf-8",
    )
    loaded = load_config(config, {**env, "ANTT_TELEGRAM_WEBHOOK_SECRET": SECRET})
    assert loaded.telegram.mode == "webhook"
    assert load_config(config, {"ANTT_TELEGRAM_WEBHOOK_SECRET": SECRET}).telegram_token is None
    config.write_text('[telegram]\nwebhook_secret = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="telegram.webhook_secret: never put secrets in a file"):
        load_config(config, env)
