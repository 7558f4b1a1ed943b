"""Zalo end to end: the real bot process against the fake Zalo API (and the Telegram emulator).

One bot process serves Telegram (telegram-test-api) and Zalo (tests/support/fakezalo.py, long
polling) together for the module; people answer every question by typing, as Zalo users must:
numbers for choices, words for the rest. A second bot process, Zalo only, runs in webhook
mode for the forged-webhook test. The bots' SQLite files are read (read-only) only to check
what was stored after the person saw the bot's answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support import backend, dbread
from tests.support.dbread import database_toml
from tests.support.fakezalo import PHOTO_BYTES, FakeZalo, SentMessage, ZaloUser

from .backends import PerBackend
from .client import EmulatorUser, next_user_id
from .harness import PROJECT_ROOT, BotProcess, Emulator, antt_bot, new_bot_token

pytestmark = pytest.mark.e2e

PROVINCE = "Tỉnh Cao Bằng"
COMMUNE = f"{PROVINCE}/Xã Quảng Hòa"
TEAM = f"{COMMUNE}/Thôn Bản Giới"
ORG_CSV = f"path,kind\n{PROVINCE},province\n{COMMUNE},commune\n{TEAM},village\n"
NUMBER = re.compile(r"BC-\d{4}-\d{6}")


def both_messengers(
    root: Path, emulator: Emulator, fake: FakeZalo, settings: str, db: str = ""
) -> World:
    """A bot (not started) serving the emulator's Telegram and the fake Zalo from `root`,
    its config `settings` (e.g. [bot] and [reminders]) then the database (`db`, else a file in
    `root`) and messengers."""
    db, media, config = db or str(root / "bot.sqlite3"), root / "media", root / "config.toml"
    config.write_text(
        f"""{settings}
{database_toml(db)}[telegram]
base_url = "{emulator.url}"
bot_username = "antt_test_bot"
poll_interval = 0.05
[zalo]
base_url = "{fake.url}"
poll_timeout = 10
media_dir = "{media}"
""",
        encoding="utf-8",
    )
    zalo_token = fake.new_token()
    tg_token = new_bot_token()
    bot = antt_bot(
        config, {"ANTT_TELEGRAM_TOKEN": tg_token, "ANTT_ZALO_TOKEN": zalo_token}, root / "bot.log"
    )
    return World(root, config, db, media, zalo_token, tg_token, bot, fake, emulator.url)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class World:
    root: Path
    config: Path
    db: str  # the bot's database: a SQLite file or a postgresql:// URL
    media: Path
    zalo_token: str
    tg_token: str
    bot: BotProcess
    fake: FakeZalo
    emulator_url: str
    codes: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(self.config), *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=_clean_env(),
        )
        assert done.returncode == 0, f"antt-bot {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return _query(self.db, sql, params)

    def member_of(self, user: ZaloUser) -> dict[str, Any]:
        rows = self.query(
            "SELECT m.* FROM identities i JOIN members m ON m.id = i.member_id "
            "WHERE i.channel = 'zalo' AND i.user_id = ?",
            (user.id,),
        )
        assert len(rows) == 1, f"{user} is not a member"
        return rows[0]

    def reports_of(self, user: ZaloUser) -> list[dict[str, Any]]:
        member_id = self.member_of(user)["id"]
        return self.query("SELECT * FROM reports WHERE member_id = ? ORDER BY id", (member_id,))

    def draft_of(self, user: ZaloUser) -> dict[str, Any]:
        rows = self.query(
            "SELECT state FROM conversations WHERE channel = 'zalo' AND chat_id = ?", (user.id,)
        )
        return dict(json.loads(rows[0]["state"])) if rows else {}


def _query(db: str | Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return dbread.rows(db, sql, params)


@contextmanager
def made_world(emulator: Emulator, fake: FakeZalo, root: Path, on: str) -> Iterator[World]:
    """The bot on both messengers, its units and invites, with its database on `on`."""
    with backend.bot_database(root / "bot.sqlite3", on) as db:
        # scheduled messages are tested in test_reminders.py
        w = both_messengers(root, emulator, fake, "[reminders]\nenabled = false", db)
        bot = w.bot
        (root / "units.csv").write_text(ORG_CSV, encoding="utf-8")
        assert "3 created" in w.cli("org", "import", str(root / "units.csv"))
        for name, unit, role in (("member", TEAM, "member"), ("officer", COMMUNE, "officer")):
            out = w.cli("invite", "create", "--unit", unit, "--role", role, "--uses", "30")
            w.codes[name] = out.strip().splitlines()[-1].strip()
        bot.start()
        try:
            yield w
        finally:
            bot.stop()


@pytest.fixture(scope="module")
def worlds(
    emulator: Emulator, fake: FakeZalo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PerBackend[World]]:
    """The module's bot on each backend its tests run on, made at first use."""
    with PerBackend(
        lambda on: made_world(emulator, fake, tmp_path_factory.mktemp(f"zalo-{on}"), on)
    ) as made:
        yield made


@pytest.fixture
def world(worlds: PerBackend[World], db_backend: str) -> World:
    """The module's bot on the running test's backend."""
    return worlds.get(db_backend)


@pytest.fixture
async def bot(world: World, emulator: Emulator, request: pytest.FixtureRequest) -> World:
    request.node.e2e_processes = [world.bot]
    if not world.bot.running:
        world.bot.start()
    await world.fake.wait_polling(world.zalo_token)
    await emulator.wait_polling(world.tg_token, bot=world.bot)
    return world


def assert_healthy(world: World) -> None:
    __tracebackhide__ = True
    assert world.bot.running, f"the bot died (exit {world.bot.returncode}):\n{world.bot.tail()}"
    assert "Traceback" not in world.bot.output(), world.bot.tail(80)
    errors = world.fake.state(world.zalo_token).errors
    assert errors == [], f"the fake Zalo refused calls: {errors}"


async def join(user: ZaloUser, code: str) -> None:
    """/start CODE, take the Zalo name by its number, confirm by number."""
    await user.send(f"/start {code}")
    asked = await user.wait_reply("Họ và tên đầy đủ của bạn là gì?")
    assert f"1. Dùng tên: {user.name}" in asked.lines(), asked.text
    await user.send("1")
    confirm = await user.wait_reply("Vui lòng kiểm tra")
    await user.answer(confirm, "Đúng, tham gia")
    await user.wait_reply(f"Chào mừng {user.name}")


async def just_finished_shift(user: ZaloUser, step: SentMessage) -> tuple[str, str]:
    """On the shift question: "Vừa xong" by its number, then the first start offered (an hour
    before); (start, end). Any hour of the day has such a shift in the past."""
    await user.answer(step, "Vừa xong")
    asked = await user.wait_reply("Bắt đầu lúc mấy giờ?")
    found = re.search(r"Kết thúc lúc (\d\d:\d\d)", asked.text)
    assert found and "1. " in asked.text, asked.text
    start = next(line[3:] for line in asked.lines() if line.startswith("1. "))
    assert re.fullmatch(r"\d\d:\d\d", start), asked.text
    await user.send("1")
    return start, found.group(1)


# ---------------------------------------------------------------------------- the tests


@pytest.mark.both_backends
async def test_join_and_file_a_patrol_by_numbers(bot: World) -> None:
    tung = bot.fake.user(bot.zalo_token, "Nông Văn Tùng")
    await join(tung, bot.codes["member"])
    assert bot.member_of(tung)["full_name"] == "Nông Văn Tùng"

    await tung.send("/baocao")
    kinds = await tung.wait_reply("Bạn muốn báo cáo việc gì?")
    await tung.answer(kinds, "Tuần tra")
    step = await tung.wait_reply("Bước 1/4")  # the date is preset: the shift comes first
    assert "Ca tuần tra nào?" in step.text
    start, end = await just_finished_shift(tung, step)
    await tung.wait_reply("Bước 2/4")
    await tung.send("Đường liên thôn Bản Giới")
    step = await tung.wait_reply("Bước 4/4")  # alone in the team: no team-mates question
    assert "[0] · [1] · [2] · [3]" in step.text  # counts are typed as themselves
    await tung.send("0")
    summary = await tung.wait_reply("Xem lại báo cáo")
    assert "gõ số" in summary.text.lower() and "bấm" not in summary.text  # no buttons on Zalo
    await tung.answer(summary, "Có hỗ trợ giao thông")  # the preset "Không", changed
    summary = await tung.wait_reply("• Có hỗ trợ giao thông: Có")
    assert f"• Giờ bắt đầu: {start}" in summary.text and f"• Giờ kết thúc: {end}" in summary.text
    await tung.answer(summary, "Gửi báo cáo")
    receipt = await tung.wait_reply("Đã lưu báo cáo")
    found = NUMBER.search(receipt.text)
    assert found
    rows = bot.reports_of(tung)
    assert [(r["kind"], r["number"]) for r in rows] == [("patrol", found.group(0))]
    data = json.loads(rows[0]["data"])
    assert (data["start"], data["end"], data["traffic_help"]) == (start, end, True)
    assert all(len(m.text) <= 2000 for m in tung.messages)
    assert_healthy(bot)


async def test_typed_forms_a_date_by_number_and_a_text_over_the_limit(bot: World) -> None:
    thu = bot.fake.user(bot.zalo_token, "Lý Thị Thu")
    await join(thu, bot.codes["member"])
    await thu.send("/baocao")
    kinds = await thu.wait_reply("Bạn muốn báo cáo việc gì?")
    await thu.answer(kinds, "Người tốt")
    await thu.wait_reply("Bước 1/2")  # the date is preset, changed on the summary
    await thu.send("Giúp cụ già sửa mái nhà")
    await thu.wait_reply("Bước 2/")
    await thu.send("Cụ Tư xóm Bản Chắt " + "rất " * 60)  # over the 200-character limit
    offer = await thu.wait_reply("quá giới hạn 200 ký tự")
    assert "Chưa có gì được lưu." in offer.text and bot.reports_of(thu) == []
    await thu.answer(offer, "Gửi phần đã cắt")
    summary = await thu.wait_reply("Xem lại báo cáo")
    await thu.answer(summary, "Ngày khác")
    step = await thu.wait_reply("Hôm qua")
    assert "2. Hôm qua" in step.lines(), step.text  # a date question numbers its choices
    await thu.send("30/12")  # later this year: refused as in the future, not as too old
    await thu.wait_reply("Ngày báo cáo không được ở tương lai.")
    await thu.send("2")
    summary = await thu.wait_reply("Xem lại báo cáo")
    await thu.answer(summary, "Gửi báo cáo")
    await thu.wait_reply("Đã lưu báo cáo")
    row = bot.reports_of(thu)[0]
    yesterday = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - timedelta(days=1)
    assert row["report_date"] == yesterday.isoformat()
    data = json.loads(row["data"])
    assert data["for_whom"].startswith("Cụ Tư xóm Bản Chắt rất") and len(data["for_whom"]) <= 200
    assert_healthy(bot)


async def test_a_bad_answer_is_asked_again_and_nothing_is_saved(bot: World) -> None:
    lien = bot.fake.user(bot.zalo_token, "Hoàng Thị Liên")
    await join(lien, bot.codes["member"])
    await lien.send("/baocao")
    kinds = await lien.wait_reply("Bạn muốn báo cáo việc gì?")
    await lien.send("99")
    again = await lien.wait_reply("Vui lòng gõ số một lựa chọn bên dưới.")
    await lien.wait_reply("Bạn muốn báo cáo việc gì?")
    await lien.answer(kinds, "Tuần tra")
    await lien.wait_reply("Bước 1/4")
    await lien.send("abc")
    again = await lien.wait_reply("Chưa hiểu giờ này. Vui lòng gõ dạng 19:30 hoặc 7h30.")
    assert "Bước 1/4" in again.text and "Ca tuần tra nào?" in again.text
    assert bot.reports_of(lien) == []
    draft = bot.draft_of(lien)
    assert draft["field"] == "start" and "start" not in draft["answers"]
    await lien.send("/huy")
    await lien.wait_reply("Đã hủy. Không có gì được lưu.")
    assert bot.reports_of(lien) == []
    assert_healthy(bot)


@pytest.mark.both_backends
async def test_a_fire_alert_reaches_an_officer_on_zalo_who_acknowledges_by_number(
    bot: World,
) -> None:
    officer = bot.fake.user(bot.zalo_token, "Bế Văn Quân")
    await join(officer, bot.codes["officer"])
    hoa = bot.fake.user(bot.zalo_token, "Lục Thị Hoa")
    await join(hoa, bot.codes["member"])

    await hoa.send("/baocao")
    kinds = await hoa.wait_reply("Bạn muốn báo cáo việc gì?")
    await hoa.answer(kinds, "PCCC")
    step = await hoa.wait_reply("Bước 1/6")  # the date is preset (today: urgent)
    await hoa.answer(step, "Cháy")
    step = await hoa.wait_reply("Bước 2/")
    assert "Gõ địa chỉ hoặc mô tả nơi xảy ra" in step.text  # Zalo has no location pins
    await hoa.send("Nhà ông Hùng, xóm Nà Vường")
    step = await hoa.wait_reply("Bước 3/")
    await hoa.answer(step, "Có")
    step = await hoa.wait_reply("Bước 4/")
    await hoa.answer(step, "Có")
    await hoa.wait_reply("Bước 5/")
    await hoa.send("2")
    await hoa.wait_reply("Bước 6/")
    await hoa.send("Đã dập tắt, không thiệt hại về người")
    summary = await hoa.wait_reply("Xem lại báo cáo")
    assert "• Địa điểm: Nhà ông Hùng, xóm Nà Vường" in summary.text
    await hoa.answer(summary, "Gửi báo cáo")
    receipt = await hoa.wait_reply("Đã lưu báo cáo")
    assert "🚨 Đã gửi ngay tới " in receipt.text  # how many depends on who joined before
    number = NUMBER.search(receipt.text)
    assert number

    alert = await officer.wait_reply(f"BÁO CÁO KHẨN: 🔥 PCCC, cứu nạn, cứu hộ — {number.group(0)}")
    assert "Người báo: Lục Thị Hoa (Thôn Bản Giới)" in alert.text
    assert "1. ✅ Đã tiếp nhận" in alert.lines()
    await officer.send("1")
    done = await officer.wait_reply(f"Bạn đã tiếp nhận {number.group(0)}")
    assert "Người báo đã được thông báo" in done.text
    await hoa.wait_reply(f"Báo cáo {number.group(0)} của bạn đã được Bế Văn Quân")
    row = bot.query("SELECT ack_by FROM reports WHERE number = ?", (number.group(0),))[0]
    assert row["ack_by"] == bot.member_of(officer)["id"]
    assert_healthy(bot)


async def test_a_telegram_member_links_zalo_with_lienket(bot: World) -> None:
    tg = EmulatorUser(
        bot.emulator_url,
        bot.tg_token,
        first_name="Đàm Văn",
        last_name="Sơn",
        user_id=next_user_id(),
    )
    try:
        await tg.send(f"/start {bot.codes['member']}")
        await tg.wait_reply("Họ và tên đầy đủ của bạn là gì?")
        await tg.press("Dùng tên: Đàm Văn Sơn")
        await tg.wait_reply("Vui lòng kiểm tra")
        await tg.press("✅ Đúng, tham gia")
        await tg.wait_reply("Chào mừng")
        await tg.send("/lienket")
        given = await tg.wait_reply("Mã liên kết của bạn")
        code = given.text.split("Mã liên kết của bạn: ")[1].split()[0]

        son = bot.fake.user(bot.zalo_token, "Đàm Văn Sơn")
        await son.send(f"/lienket {code}")
        linked = await son.wait_reply("Đã liên kết Zalo với tài khoản của Đàm Văn Sơn")
        assert "1. 📝 Báo cáo" in linked.lines()  # the menu, as a member
        await tg.wait_reply("vừa được liên kết với Zalo")
        rows = bot.query(
            "SELECT channel, member_id FROM identities WHERE member_id = ("
            "SELECT member_id FROM identities WHERE channel = 'zalo' AND user_id = ?)",
            (son.id,),
        )
        assert sorted(r["channel"] for r in rows) == ["telegram", "zalo"]
        assert bot.query("SELECT used_at FROM link_codes WHERE code = ?", (code,))[0]["used_at"]

        stranger = bot.fake.user(bot.zalo_token, "Người Lạ")
        await stranger.send(f"/lienket {code}")
        await stranger.wait_reply("Mã liên kết đã hết hạn hoặc đã được dùng.")
        assert bot.query("SELECT * FROM identities WHERE user_id = ?", (stranger.id,)) == []
    finally:
        await tg.aclose()
    assert_healthy(bot)


@pytest.mark.both_backends
async def test_the_same_message_delivered_twice_is_processed_once(bot: World) -> None:
    kim = bot.fake.user(bot.zalo_token, "Triệu Thị Kim")
    await join(kim, bot.codes["member"])
    update = await kim.send("/khongcovuviec")
    await kim.wait_reply("Đã ghi nhận: ngày")
    served = bot.fake.state(bot.zalo_token).served
    await kim.resend(update)  # same message_id
    await bot.fake.wait_served(bot.zalo_token, served + 1)
    assert kim.unread() == []
    assert [r["kind"] for r in bot.reports_of(kim)] == ["nil"]
    assert_healthy(bot)


@pytest.mark.both_backends
async def test_a_photo_is_downloaded_and_stored_with_the_report(bot: World) -> None:
    mai = bot.fake.user(bot.zalo_token, "Hà Thị Mai")
    await join(mai, bot.codes["member"])
    await mai.send("/baocao")
    kinds = await mai.wait_reply("Bạn muốn báo cáo việc gì?")
    await mai.answer(kinds, "Người tốt")
    await mai.wait_reply("Bước 1/2")
    await mai.send("Đưa cụ bà bị lạc về nhà")
    await mai.wait_reply("Bước 2/2")
    await mai.send("Cụ Nông Thị Dần, xóm Bản Giới")
    summary = await mai.wait_reply("Xem lại báo cáo")
    await mai.answer(summary, "Thêm ảnh")  # photos are offered on the summary
    await mai.wait_reply("Gửi ảnh")
    await mai.send_photo()
    got = await mai.wait_reply("Đã nhận 1 ảnh.")
    await mai.answer(got, "Xong")
    summary = await mai.wait_reply("Xem lại báo cáo")
    assert "• Ảnh: 1 ảnh" in summary.text
    await mai.answer(summary, "Gửi báo cáo")
    await mai.wait_reply("Đã lưu báo cáo")
    report_id = bot.reports_of(mai)[0]["id"]
    media = bot.query(
        "SELECT channel, file_ref FROM report_media WHERE report_id = ?", (report_id,)
    )
    assert [m["channel"] for m in media] == ["zalo"]
    path = Path(media[0]["file_ref"].removeprefix("file:"))
    assert path.is_relative_to(bot.media) and path.read_bytes() == PHOTO_BYTES
    assert_healthy(bot)


async def test_stickers_and_unsupported_messages_get_a_polite_answer(bot: World) -> None:
    nga = bot.fake.user(bot.zalo_token, "Lò Thị Nga")
    await nga.send_sticker()
    said = await nga.wait_reply("Bot chưa hiểu nhãn dán (sticker).")
    assert "Bot hiểu tin nhắn chữ, số thứ tự của lựa chọn (ví dụ: 1) và ảnh." in said.text
    await nga.send_unsupported()
    await nga.wait_reply("Bot chưa đọc được loại tin nhắn này")
    await nga.send("xin chào")
    await nga.wait_reply("Bạn chưa tham gia hệ thống báo cáo của Tổ bảo vệ ANTT.")
    assert_healthy(bot)


# ---------------------------------------------------------------------------- webhook mode


@pytest.fixture
async def webhook_bot(
    fake: FakeZalo, tmp_path: Path, bot_process: Callable[..., BotProcess], db_backend: str
) -> AsyncIterator[tuple[BotProcess, str, str, str]]:
    with backend.bot_database(tmp_path / "hook.sqlite3", db_backend) as db:
        port = _free_port()
        config = tmp_path / "hook.toml"
        path = "/zalo/hook"
        config.write_text(
            f"""{database_toml(db)}[reminders]
enabled = false  # scheduled messages are tested in test_reminders.py
[zalo]
base_url = "{fake.url}"
mode = "webhook"
webhook_url = "http://127.0.0.1:{port}{path}"
webhook_host = "127.0.0.1"
webhook_port = {port}
webhook_path = "{path}"
media_dir = "{tmp_path / "media"}"
""",
            encoding="utf-8",
        )
        token = fake.new_token()
        secret = "s3cret-" + os.urandom(8).hex()
        process = bot_process(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            env={"ANTT_ZALO_TOKEN": token, "ANTT_ZALO_WEBHOOK_SECRET": secret},
            name="antt-bot-webhook",
        ).start()
        deadline = time.monotonic() + 20
        while not fake.state(token).webhook_url:  # the bot registered its webhook with Zalo
            assert process.running, process.tail()
            assert time.monotonic() < deadline, f"no setWebhook within 20 s:\n{process.tail()}"
            await asyncio.sleep(0.05)
        yield process, token, f"http://127.0.0.1:{port}{path}", db
        process.stop()


async def test_a_forged_webhook_is_refused_and_a_genuine_one_answered(
    fake: FakeZalo, webhook_bot: tuple[BotProcess, str, str, str]
) -> None:
    process, token, url, db = webhook_bot
    assert fake.state(token).webhook_secret  # registered with the secret from the environment
    forged = fake.message("message.text.received", "attacker", "Kẻ Giả", text="/start")
    async with httpx.AsyncClient(timeout=5) as http:
        wrong = await http.post(url, json=forged, headers={"X-Bot-Api-Secret-Token": "guess-123"})
        missing = await http.post(url, json=forged)
    assert (wrong.status_code, missing.status_code) == (403, 403)

    lan = fake.user(token, "Vi Thị Lan")
    await lan.send("/start")  # delivered by the fake's webhook with the right secret
    reply = await lan.wait_reply("Bạn chưa tham gia hệ thống báo cáo của Tổ bảo vệ ANTT.")
    assert "/lienket" in reply.text
    assert fake.state(token).sent[-1].chat_id == lan.id
    keys = [r["update_key"] for r in _query(db, "SELECT update_key FROM inbound_journal")]
    assert keys == [lan.last_update["message"]["message_id"]]  # the forged ones never got in
    processed = _query(db, "SELECT update_key FROM processed_updates")
    assert [r["update_key"] for r in processed] == keys
    assert not [m for m in fake.state(token).sent if m.chat_id == "attacker"]
    assert process.running and "Traceback" not in process.output()


@pytest.mark.both_backends
def test_the_bot_log_holds_no_token_and_no_personal_data(world: World) -> None:
    """Runs last in this module: everything the bot printed while people used it."""
    log = world.bot.output()
    assert log.strip()
    assert world.zalo_token not in log and world.zalo_token.split(":", 1)[1] not in log
    for personal in ("Nông Văn Tùng", "Lục Thị Hoa", "Nhà ông Hùng", "Đàm Văn Sơn"):
        assert personal not in log, f"personal data in the log: {personal!r}"
