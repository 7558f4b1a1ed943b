"""Two Zalo bots listed in `[[zalo.bots]]`, one per commune, beside the Telegram bot: an
invite joins only through the Zalo bot of its unit, and what the bot starts for a Zalo member
goes through that bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.channels.hooks import Hooks
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo.webhook import serve_webhook
from bot.core.config import Config
from bot.core.config_bots import ZaloBotEntry
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import members
from tests.inproc.test_zalo import Z
from tests.support.fakezalo import FakeZalo
from tests.support.harness import COMMUNE, OTHER_COMMUNE, TEAM_A, make_harness


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


@pytest.fixture
async def two(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[tuple[Z, Z]]:
    config = Config()
    fake.configure(config, tmp_path / "media")
    config.zalo.token = None  # no single Zalo bot: the two listed ones
    sides = []
    for name, subtree in (("bac-son", COMMUNE), ("huu-vinh", OTHER_COMMUNE)):
        token = fake.new_token()
        shown = f"ANTT {name}"
        entry = ZaloBotEntry(name=name, subtree=subtree, token_env="X", bot_username=shown)
        entry.token = SecretStr(token)
        config.zalo.bots.append(entry)
        sides.append((f"zalo:{name}", token))
    h = await make_harness(tmp_path, config=config)
    zs = []
    for channel_name, token in sides:
        channel = ZaloChannel(config, h.runtime.engine, name=channel_name, token=token)
        zs.append(Z(h, fake, token, channel))
    yield zs[0], zs[1]
    for z in zs:
        await z.channel.api.aclose()
    await h.close()


async def test_a_zalo_invite_joins_through_the_bot_of_its_unit_and_reminders_follow(
    two: tuple[Z, Z],
) -> None:
    bac_son, huu_vinh = two
    await bac_son.h.add_invite("ZALOBS01", TEAM_A, "member")
    wrong = huu_vinh.user("Trần Thị Lan")
    said = await huu_vinh.say(wrong, "/start ZALOBS01")
    assert [m.text for m in said] == [
        "🤖 Mã này dành cho đơn vị thuộc Xã Bắc Sơn, do bot ANTT bac-son phục vụ. Hãy mở ANTT "
        "bac-son và gửi lại mã: /start ZALOBS01. Ở đây chưa có gì được lưu."
    ]
    assert await bac_son.h.count("SELECT COUNT(*) FROM members") == 0
    lan = bac_son.user("Trần Thị Lan")
    await bac_son.join(lan, "ZALOBS01")
    async with bac_son.h.db.read() as tx:
        member = await members.by_identity(tx, "zalo:bac-son", lan.id)
    assert member is not None
    h = bac_son.h
    planning = Planning(h.runtime.services, jobs_from(h.config, h.clock.tz))
    h.clock.set(h.clock.now().replace(hour=19, minute=0))
    assert await planning.tick() == 1
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE channel = 'zalo:bac-son'") == 1
    lan.unread()
    assert await bac_son.sender.drain_once() == 1
    assert lan.unread()[0].text.startswith("🔔 Nhắc báo cáo ngày 23/11/2026")
    assert await huu_vinh.sender.drain_once() == 0


async def test_each_listed_zalo_bot_takes_its_own_webhook_posts(two: tuple[Z, Z]) -> None:
    bac_son, huu_vinh = two
    zalo = bac_son.h.config.zalo  # the one config both bots read
    zalo.mode, zalo.webhook_port = "webhook", 0
    zalo.webhook_secret = SecretStr("bi-mat-zalo-42")
    hooks = Hooks("zalo", zalo)

    async def probe(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True})

    await hooks.attach("/zalo/webhook/probe", probe)  # listening: its port makes the URL
    zalo.webhook_url = f"http://127.0.0.1:{hooks.port}/zalo/webhook"
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(serve_webhook(z.channel, stop, hooks)) for z in (bac_son, huu_vinh)
    ]
    try:
        while len(hooks.handlers) < 3:
            await asyncio.sleep(0.01)
        assert bac_son.fake.bots[bac_son.token].webhook_url.endswith("/zalo/webhook/bac-son")
        assert huu_vinh.fake.bots[huu_vinh.token].webhook_url.endswith("/zalo/webhook/huu-vinh")
        lan = huu_vinh.user("Trần Thị Lan")
        update = huu_vinh.fake.message("message.text.received", lan.id, lan.name, text="/start")
        assert await huu_vinh.fake.push(huu_vinh.token, update) == 200
        await lan.wait_reply("Bạn chưa tham gia")  # the bot's worker answers after the 200
        journaled = await bac_son.h.count(
            "SELECT COUNT(*) FROM inbound_journal WHERE channel = 'zalo:huu-vinh'"
        )
        assert journaled == 1
        assert await bac_son.h.count("SELECT COUNT(*) FROM inbound_journal") == 1
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await hooks.detach("/zalo/webhook/probe")
