"""Several Telegram bots in webhook mode in one process: each registers its own address and
takes its own posts on one listener, journaled under its own channel (two bots number their
updates independently, so the same update id from each is two updates)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.channels.hooks import Hooks, hook_address
from bot.channels.telegram_webhook import SECRET_HEADER, TelegramWebhook, serve_webhook
from bot.core.config import ConfigError, TelegramSection, load_config
from bot.web.server import WebServer
from tests.inproc.helpers import rows
from tests.support.fakebot import text_update
from tests.support.harness import Harness
from tests.support.twobots import close_two, make_two_bots

SECRET = "bi-mat_cua-webhook-42"
URL = "https://bot.example.vn/telegram/webhook"


def test_each_listed_bot_has_its_own_address() -> None:
    section = TelegramSection(webhook_url=URL + "/", webhook_path="/tg/hook")
    assert hook_address(section, "telegram") == (URL + "/", "/tg/hook")
    assert hook_address(section, "telegram:bac-son") == (f"{URL}/bac-son", "/tg/hook/bac-son")


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness, Hooks]]:
    bac_son, huu_vinh = await make_two_bots(tmp_path)
    section = bac_son.config.telegram  # the one config both bots read
    section.mode, section.webhook_url, section.webhook_port = "webhook", URL, 0
    section.webhook_secret = SecretStr(SECRET)
    hooks = Hooks("telegram", section)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(serve_webhook(h.channel, stop, hooks)) for h in (bac_son, huu_vinh)
    ]
    while len(hooks.handlers) < 2:
        await asyncio.sleep(0.01)
    try:
        yield bac_son, huu_vinh, hooks
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await close_two(bac_son, huu_vinh)


async def post(hooks: Hooks, path: str, body: dict[str, object]) -> int:
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"http://127.0.0.1:{hooks.port}{path}", json=body, headers={SECRET_HEADER: SECRET}
        )
        return response.status


async def test_each_bot_registers_and_takes_its_own_posts(
    served: tuple[Harness, Harness, Hooks],
) -> None:
    bac_son, huu_vinh, hooks = served
    for h, name in ((bac_son, "bac-son"), (huu_vinh, "huu-vinh")):
        registered = [p["url"] for method, p in h.api.calls if method == "setWebhook"]
        assert registered == [f"{URL}/{name}"]
    update = text_update(5, "/start")
    assert await post(hooks, "/telegram/webhook/huu-vinh", update) == 200
    assert await post(hooks, "/telegram/webhook/bac-son", update) == 200  # same id, other bot
    assert await post(hooks, "/telegram/webhook/huu-vinh", update) == 200  # sent again: dropped
    journaled = await rows(bac_son, "SELECT channel FROM inbound_journal ORDER BY channel")
    assert [r["channel"] for r in journaled] == ["telegram:bac-son", "telegram:huu-vinh"]
    assert bac_son.channel.application.update_queue.qsize() == 1
    assert huu_vinh.channel.application.update_queue.qsize() == 1
    # A bot this process does not serve (yet): Telegram is told to try again later.
    assert await post(hooks, "/telegram/webhook/lang-son", update) == 503
    assert len(await rows(bac_son, "SELECT channel FROM inbound_journal")) == 2


async def test_the_listener_closes_with_the_last_bot(
    served: tuple[Harness, Harness, Hooks],
) -> None:
    _, _, hooks = served
    await hooks.detach("/telegram/webhook/bac-son")
    assert await post(hooks, "/telegram/webhook/huu-vinh", text_update(6, "/start")) == 200
    await hooks.detach("/telegram/webhook/huu-vinh")
    with pytest.raises(aiohttp.ClientConnectionError):
        await post(hooks, "/telegram/webhook/huu-vinh", text_update(7, "/start"))


async def test_the_web_server_takes_each_bots_posts_when_it_runs(
    served: tuple[Harness, Harness, Hooks],
) -> None:
    bac_son, huu_vinh, _ = served
    server = WebServer(bac_son.runtime.services, "127.0.0.1", 0)
    await server.start()
    try:
        hooks = Hooks("telegram", bac_son.config.telegram, server)
        webhook = TelegramWebhook(huu_vinh.channel, SECRET)
        await hooks.attach("/telegram/webhook/huu-vinh", webhook.handle)
        assert hooks.port == server.port
        update = text_update(8, "/start")
        assert await post(hooks, "/telegram/webhook/huu-vinh", update) == 200  # no CSRF check
        assert await post(hooks, "/telegram/webhook/bac-son", update) == 503  # not attached
        journaled = await rows(bac_son, "SELECT channel FROM inbound_journal")
        assert [r["channel"] for r in journaled] == ["telegram:huu-vinh"]
    finally:
        await server.stop()


def test_listed_bots_alone_in_webhook_mode_need_the_secret_and_the_url(tmp_path: Path) -> None:
    for messenger, secret_env in (
        ("telegram", "ANTT_TELEGRAM_WEBHOOK_SECRET"),
        ("zalo", "ANTT_ZALO_WEBHOOK_SECRET"),
    ):
        path = tmp_path / f"{messenger}.toml"
        listed = (
            f'[{messenger}]\nmode = "webhook"\n\n[[{messenger}.bots]]\nname = "bac-son"\n'
            f'subtree = "Tỉnh Lạng Sơn"\ntoken_env = "TOKEN_BAC_SON"\n'
        )
        path.write_text(listed, encoding="utf-8")
        env = {"TOKEN_BAC_SON": "111111:BAC-SON"}
        with pytest.raises(ConfigError, match=secret_env):
            load_config(path, env)
        with pytest.raises(ConfigError, match=f"{messenger}.webhook_url"):
            load_config(path, {**env, secret_env: SECRET})
