"""Several Telegram bots on one database, each serving one commune: alerts and reminders go
through the bot of the member's unit, a member writing to another bot is pointed to theirs,
invites join only through the bot of their unit, and a province supervisor uses either."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.bots import Router
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import members
from storage.members import Served
from tests.inproc.helpers import file_fire, rows
from tests.inproc.police_world import alert_of
from tests.support.harness import COMMUNE, PROVINCE, TEAM_A, TEAM_C, Harness
from tests.support.twobots import close_two, make_two_bots

REMINDER = "🔔 Nhắc báo cáo ngày 23/11/2026"
WRONG_BOT = (
    "🤖 Bot này không phục vụ đơn vị của bạn. Hãy nhắn cho @antt_huuvinh_bot (bot của Xã Hữu "
    "Vĩnh): mọi báo cáo, nhắc việc và thông báo của đơn vị bạn đều qua bot đó. Ở đây chưa có "
    "gì được lưu."
)


@pytest.fixture
async def bots(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    bac_son, huu_vinh = await make_two_bots(tmp_path)
    try:
        yield bac_son, huu_vinh
    finally:
        await close_two(bac_son, huu_vinh)


async def test_an_alert_goes_through_the_bot_of_each_officers_unit(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    await bac_son.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await bac_son.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    await bac_son.add_member(12, "Lý Minh Dũng", "officer", PROVINCE)
    await huu_vinh.add_member(13, "Vi Văn Hải", "officer", f"{PROVINCE}/Xã Hữu Vĩnh")
    dung_elsewhere = huu_vinh.user(12)
    huu_vinh.clock.advance(minutes=1)
    menu = await dung_elsewhere.send("/start")  # the province is above both bots: served
    assert "Lý Minh Dũng" in menu[0].text
    await file_fire(bac_son.user(1))
    queued = await rows(
        bac_son, "SELECT channel FROM outbox WHERE dedupe_key NOT LIKE '%step%' ORDER BY member_id"
    )
    assert [r["channel"] for r in queued] == ["telegram:bac-son", "telegram:huu-vinh"]
    assert await bac_son.drain() >= 1 and await huu_vinh.drain() >= 1
    assert alert_of(bac_son.user(11)).text.startswith("🚨 BÁO CÁO KHẨN")
    assert alert_of(dung_elsewhere).text.startswith("🚨 BÁO CÁO KHẨN")  # the bot used last
    assert bac_son.api.chat(12) == []
    assert huu_vinh.api.chat(13) == []  # the other commune's officer is not alerted


async def test_the_evening_reminder_goes_through_each_members_own_bot(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    await bac_son.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await huu_vinh.add_member(6, "Lò Thị Mai", "member", TEAM_C)
    planning = Planning(bac_son.runtime.services, jobs_from(bac_son.config, bac_son.clock.tz))
    bac_son.clock.set(bac_son.clock.now().replace(hour=19, minute=0))
    assert await planning.tick() == 2
    assert await bac_son.drain() == 1 and await huu_vinh.drain() == 1
    assert bac_son.user(1).messages[-1].text.startswith(REMINDER)
    assert huu_vinh.user(6).messages[-1].text.startswith(REMINDER)
    assert huu_vinh.api.chat(1) == [] and bac_son.api.chat(6) == []


async def test_a_member_writing_to_another_bot_is_told_which_one_and_nothing_is_saved(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    await huu_vinh.add_member(6, "Lò Thị Mai", "member", TEAM_C)
    mai = bac_son.user(6, "Lò", "Thị Mai")
    for typed in ("/baocao", "/start", "xin chào"):
        replies = await mai.send(typed)
        assert [r.text for r in replies] == [WRONG_BOT]
    async with bac_son.db.read() as tx:
        assert [r["channel"] for r in await members.identities_of(tx, 1)] == ["telegram:huu-vinh"]
    assert await bac_son.count("SELECT COUNT(*) FROM conversations") == 0
    assert await bac_son.count("SELECT COUNT(*) FROM reports") == 0
    # on her own bot she is served
    assert "Lò Thị Mai" in (await huu_vinh.user(6).send("/start"))[0].text


async def test_a_member_moved_to_the_other_commune_is_pointed_to_its_bot(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    member_id = await bac_son.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    async with bac_son.db.transaction() as tx:
        await tx.execute(
            "UPDATE members SET unit_id = (SELECT id FROM units WHERE path = ?) WHERE id = ?",
            (TEAM_C, member_id),
        )
    planning = Planning(bac_son.runtime.services, jobs_from(bac_son.config, bac_son.clock.tz))
    bac_son.clock.set(bac_son.clock.now().replace(hour=19, minute=0))
    await planning.tick()
    assert await bac_son.count("SELECT COUNT(*) FROM outbox") == 0  # not through the old bot
    replies = await bac_son.user(1).send("/baocao")
    assert [r.text for r in replies] == [WRONG_BOT]


async def test_an_invite_joins_only_through_the_bot_of_its_unit(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    await bac_son.add_invite("HUUVINH1", TEAM_C, "member")
    stranger = bac_son.user(40, "Đàm", "Văn Tú")
    replies = await stranger.send("/start HUUVINH1")
    assert [r.text for r in replies] == [
        "🤖 Mã này dành cho đơn vị thuộc Xã Hữu Vĩnh, do bot @antt_huuvinh_bot phục vụ. Hãy mở "
        "@antt_huuvinh_bot và gửi lại mã: /start HUUVINH1. Ở đây chưa có gì được lưu."
    ]
    assert await bac_son.count("SELECT uses_left FROM invites WHERE code = 'HUUVINH1'") == 1
    assert await bac_son.count("SELECT COUNT(*) FROM members") == 0
    assert await bac_son.count("SELECT COUNT(*) FROM conversations") == 0
    asked = await huu_vinh.user(40, "Đàm", "Văn Tú").send("/start HUUVINH1")
    assert "họ và tên" in asked[-1].text.lower()


async def test_a_province_supervisor_uses_either_bot_and_hears_on_the_one_used_last(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    son_id = await bac_son.add_member(15, "Phạm Văn Sơn", "supervisor", PROVINCE)
    served = bac_son.runtime.services.served()
    for side in (huu_vinh, bac_son, huu_vinh):
        side.clock.advance(minutes=1)
        replies = await side.user(15).send("/start")
        assert "Phạm Văn Sơn" in replies[0].text
        async with side.db.read() as tx:
            contact = await members.contact(tx, son_id, served)
        assert contact is not None and contact["channel"] == side.channel.name
    async with bac_son.db.read() as tx:
        linked = sorted(str(r["channel"]) for r in await members.identities_of(tx, son_id))
    assert linked == ["telegram:bac-son", "telegram:huu-vinh"]


async def test_a_messenger_chosen_with_kenhnhan_covers_each_of_its_bots(
    bots: tuple[Harness, Harness],
) -> None:
    bac_son, huu_vinh = bots
    son_id = await bac_son.add_member(15, "Phạm Văn Sơn", "supervisor", PROVINCE)
    huu_vinh.clock.advance(minutes=1)
    await huu_vinh.user(15).send("/start")
    bac_son.clock.advance(minutes=1)
    now = bac_son.clock.now().isoformat()
    async with bac_son.db.transaction() as tx:
        await members.link_identity(tx, "zalo", "z15", "z15", son_id, now)
        await members.touch(tx, "zalo", "z15", now)  # Zalo is the one used last
    channels = {"telegram:bac-son", "telegram:huu-vinh", "zalo"}
    served = Served(channels, Router.of(bac_son.config).may_use)
    async with bac_son.db.transaction() as tx:
        assert (await members.contact(tx, son_id, served))["channel"] == "zalo"  # type: ignore[index]
        await members.set_preferred_channel(tx, son_id, "telegram")
        contact = await members.contact(tx, son_id, served)
    assert contact is not None and contact["channel"] == "telegram:huu-vinh"  # Telegram's last
