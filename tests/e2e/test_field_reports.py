"""Field reports end to end: the real bot process, the telegram-test-api emulator, people.

One organisation (a province, two communes, three villages), loaded with the real CLI, and one
bot process serve the whole module; every test brings its own people (fresh Telegram users who
join with invite codes), so tests do not depend on each other. The bot's SQLite file is read
(read-only) only to check what was stored after the person saw the bot's answer.

The dates are the real local date (Asia/Ho_Chi_Minh): the bot runs on the system clock.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tests.support import backend, dbread
from tests.support.dbread import database_toml

from .backends import PerBackend
from .client import BotMessage, EmulatorUser, next_user_id
from .harness import PROJECT_ROOT, BotProcess, Emulator, antt_bot, new_bot_token

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
TEAM_A = f"{COMMUNE}/Thôn Nà Lẹng"
TEAM_B = f"{COMMUNE}/Thôn Khuôn Pinh"
OTHER_COMMUNE = f"{PROVINCE}/Xã Vũ Lăng"
OTHER_TEAM = f"{OTHER_COMMUNE}/Thôn Pò Hèn"

ORG_CSV = f"""path,kind,households
{PROVINCE},province,
{COMMUNE},commune,
{TEAM_A},village,120
{TEAM_B},village,95
{OTHER_COMMUNE},commune,
{OTHER_TEAM},village,80
"""

PATROL = "🚶 Tuần tra ANTT, ATGT"
GOOD_DEED = "🌟 Người tốt, việc tốt"
FIRE = "🔥 PCCC, cứu nạn, cứu hộ"
TIP = "📢 Tin báo ANTT"
HOW_TO_JOIN = "Bạn chưa tham gia hệ thống báo cáo của Tổ bảo vệ ANTT."
CANCELLED = "Đã hủy. Không có gì được lưu."
NUMBER = re.compile(r"BC-\d{4}-\d{6}")


def today() -> date:
    return datetime.now(TZ).date()


def report_day() -> date:
    """The day a patrol is preset to: yesterday until 06:00 (`[reports] day_ends_at`)."""
    now = datetime.now(TZ)
    return now.date() - timedelta(days=1) if now.hour < 6 else now.date()


# ---------------------------------------------------------------------------- the world


@dataclass
class World:
    """The organisation, its invite codes and the one bot process serving this module."""

    root: Path
    config: Path
    db: str  # the bot's database: a SQLite file or a postgresql:// URL
    token: str
    bot: BotProcess
    emulator_url: str
    codes: dict[str, str] = field(default_factory=dict)
    log_mark: int = 0  # where the running test's part of the bot's output starts

    def cli(self, *args: str) -> str:
        """Run `python -m bot --config CONFIG ...` as an administrator would; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(self.config), *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**_clean_env(), "PYTHONUNBUFFERED": "1"},
        )
        assert done.returncode == 0, f"antt-bot {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def invite(self, unit: str, role: str, uses: int = 20) -> str:
        return self.invites({"one": (unit, role, uses)})["one"]

    def invites(self, wanted: dict[str, tuple[str, str, int]]) -> dict[str, str]:
        """Invite codes by name, from (unit, role, uses): one CLI process each, run side by
        side (their start-up, not the database, is what takes the time)."""
        running = {
            name: subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(self.config), "invite", "create"]
                + ["--unit", unit, "--role", role, "--uses", str(uses), "--days", "3"],
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**_clean_env(), "PYTHONUNBUFFERED": "1"},
            )
            for name, (unit, role, uses) in wanted.items()
        }
        codes = {}
        for name, process in running.items():
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, f"antt-bot invite create ({name}) failed:\n{err}"
            codes[name] = out.strip().splitlines()[-1].strip()
        return codes

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Read the bot's database (read-only, the bot keeps running)."""
        return dbread.rows(self.db, sql, params)

    def member_id(self, user: EmulatorUser) -> int:
        rows = self.query(
            "SELECT member_id FROM identities WHERE channel = 'telegram' AND user_id = ?",
            (str(user.user_id),),
        )
        assert len(rows) == 1, f"{user} is not a member"
        return int(rows[0]["member_id"])

    def reports_of(self, user: EmulatorUser) -> list[dict[str, Any]]:
        return self.query(
            "SELECT * FROM reports WHERE member_id = ? ORDER BY id", (self.member_id(user),)
        )

    def draft_of(self, user: EmulatorUser) -> dict[str, Any]:
        rows = self.query(
            "SELECT state FROM conversations WHERE channel = 'telegram' AND chat_id = ?",
            (str(user.chat_id),),
        )
        return dict(json.loads(rows[0]["state"])) if rows else {}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}


@contextmanager
def made_world(emulator: Emulator, root: Path, on: str) -> Iterator[World]:
    """The organisation, its invites and the bot, with its database on backend `on`."""
    config = root / "config.toml"
    with backend.bot_database(root / "bot.sqlite3", on) as db:
        config.write_text(
            f"""{database_toml(db)}[telegram]
base_url = "{emulator.url}"
bot_username = "antt_test_bot"
poll_interval = 0.05
[reminders]
# Scheduled messages have their own module (test_reminders.py); here one arriving at
# 19:00 would land in the middle of a dialog some test is reading.
enabled = false
# No quiet hours: a team-mate's notice goes out whatever the hour the suite runs at.
quiet_start = "00:00"
quiet_end = "00:00"
""",
            encoding="utf-8",
        )
        token = new_bot_token()
        bot = antt_bot(config, {"ANTT_TELEGRAM_TOKEN": token}, root / "bot.log")
        w = World(root, config, db, token, bot, emulator.url)
        org = root / "units.csv"
        org.write_text(ORG_CSV, encoding="utf-8")
        assert "6 created" in w.cli("org", "import", str(org))
        w.codes = w.invites(
            {
                "member_a": (TEAM_A, "member", 50),
                "officer_commune": (COMMUNE, "officer", 20),
                "officer_province": (PROVINCE, "officer", 20),
                "officer_other": (OTHER_COMMUNE, "officer", 20),
                "supervisor_province": (PROVINCE, "supervisor", 20),
            }
        )
        bot.start()
        try:
            yield w
        finally:
            bot.stop()


@pytest.fixture(scope="module")
def worlds(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PerBackend[World]]:
    """The module's bot on each backend its tests run on, made at first use."""
    with PerBackend(
        lambda on: made_world(emulator, tmp_path_factory.mktemp(f"field-reports-{on}"), on)
    ) as made:
        yield made


@pytest.fixture
def world(worlds: PerBackend[World], db_backend: str) -> World:
    """The module's bot on the running test's backend."""
    return worlds.get(db_backend)


@pytest.fixture
async def bot(world: World, emulator: Emulator, request: pytest.FixtureRequest) -> World:
    """The module's bot, polling (started again if an earlier test left it dead)."""
    request.node.e2e_processes = [world.bot]  # its output goes into a failing test's report
    world.log_mark = len(world.bot.output())
    if not world.bot.running:
        world.bot.start()
    await emulator.wait_polling(world.token, bot=world.bot)
    return world


@pytest.fixture
async def people(bot: World) -> AsyncIterator[Callable[..., EmulatorUser]]:
    """New Telegram users in private chats with the module's bot."""
    made: list[EmulatorUser] = []

    def make(first_name: str, last_name: str | None = None) -> EmulatorUser:
        user = EmulatorUser(
            bot.emulator_url,
            bot.token,
            first_name=first_name,
            last_name=last_name,
            user_id=next_user_id(),
        )
        made.append(user)
        return user

    yield make
    for user in made:
        await user.aclose()


def assert_bot_healthy(world: World) -> None:
    """The bot is still up and logged no crash while the test ran."""
    __tracebackhide__ = True
    assert world.bot.running, f"the bot died (exit {world.bot.returncode}):\n{world.bot.tail()}"
    out = world.bot.output()[world.log_mark :]
    assert "Traceback" not in out, f"the bot logged an exception:\n{world.bot.tail(80)}"


# ---------------------------------------------------------------------------- what people do


async def join(user: EmulatorUser, code: str, typed_name: str | None = None) -> BotMessage:
    """/start CODE, give the full name (the offered button unless typed), confirm."""
    await user.send(f"/start {code}")
    asked = await user.wait_reply("Họ và tên đầy đủ của bạn là gì?")
    if typed_name is None:
        offered = f"Dùng tên: {user.first_name} {user.last_name}"
        assert offered in asked.labels, asked
        await user.press(offered)
    else:
        await user.send(typed_name)
    confirm = await user.wait_reply("Vui lòng kiểm tra")
    assert confirm.labels == ["✅ Đúng, tham gia", "✖ Hủy"], confirm
    await user.press("✅ Đúng, tham gia")
    return await user.wait_reply("Chào mừng")


async def start_report(user: EmulatorUser, kind: str, total_steps: int) -> BotMessage:
    await user.send("/baocao")
    kinds = await user.wait_reply("Bạn muốn báo cáo việc gì?")
    assert kind in kinds.labels, kinds
    await user.press(kind)
    first = await user.wait_reply(f"Bước 1/{total_steps}")
    return first


async def just_finished_shift(user: EmulatorUser) -> tuple[str, str]:
    """On the shift question: "⏱ Vừa xong", then the start an hour before; (start, end).

    Any hour of the day has such a shift in the past (the suite runs on the system clock)."""
    await user.press("⏱ Vừa xong")
    asked = await user.wait_reply("Bắt đầu lúc mấy giờ?")
    found = re.search(r"Kết thúc lúc (\d\d:\d\d)", asked.text)
    assert found, asked
    start = asked.labels[0]
    assert re.fullmatch(r"\d\d:\d\d", start), asked  # the starts 1-4 hours before
    await user.press(start)
    return start, found.group(1)


async def submit(user: EmulatorUser) -> tuple[BotMessage, str]:
    """Press "Gửi báo cáo" on the summary; the receipt and its report number."""
    await user.press("✅ Gửi báo cáo")
    receipt = await user.wait_reply("Đã lưu báo cáo")
    found = NUMBER.search(receipt.text)
    assert found, receipt
    return receipt, found.group(0)


# ---------------------------------------------------------------------------- the tests


@pytest.mark.both_backends
async def test_member_joins_and_files_a_patrol_with_a_teammate(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    binh = people("Trần Thị", "Bình")
    welcome = await join(binh, bot.codes["member_a"])
    assert welcome.text.startswith("🎉 Chào mừng Trần Thị Bình đã tham gia Thôn Nà Lẹng!")

    an = people("An")  # a one-word Telegram name: no button, the full name is typed
    await an.send(f"/start {bot.codes['member_a']}")
    asked = await an.wait_reply("Họ và tên đầy đủ")
    assert asked.labels == ["✖ Hủy"]
    await an.send("An")
    again = await an.wait_reply("Họ tên cần ít nhất hai chữ")
    assert "Họ và tên đầy đủ" in again.text
    await an.send("Nguyễn   Văn An")
    confirm = await an.wait_reply("Vui lòng kiểm tra")
    assert "👤 Họ tên: Nguyễn Văn An" in confirm.text
    assert "Tỉnh Lạng Sơn › Xã Bắc Sơn › Thôn Nà Lẹng" in confirm.text
    assert "🎖 Vai trò: Tổ viên" in confirm.text
    await an.press("✅ Đúng, tham gia")
    welcome = await an.wait_reply("Chào mừng")
    assert "Nguyễn Văn An đã tham gia Thôn Nà Lẹng" in welcome.text
    assert "📝 Báo cáo" in welcome.labels

    step = await start_report(an, PATROL, 4)
    assert "Ca tuần tra nào?" in step.text and "Ngày tuần tra" not in step.text  # date preset
    start, end = await just_finished_shift(an)
    step = await an.wait_reply("Bước 2/4")
    assert "Tuần tra tuyến nào" in step.text
    await an.send("Đường liên thôn Nà Lẹng")
    step = await an.wait_reply("Bước 3/4")
    assert "▫️ Trần Thị Bình" in step.labels and "🙋 Một mình" in step.labels, step
    assert not any("Nguyễn Văn An" in label for label in step.labels)  # not oneself
    await an.press("▫️ Trần Thị Bình")
    toggled = await an.wait_reply("Bước 3/4")
    assert toggled.edited and toggled.message_id == step.message_id  # the same question, ticked
    assert "☑️ Trần Thị Bình" in toggled.labels, toggled
    await an.press("✔ Xong")
    step = await an.wait_reply("Bước 4/4")
    assert step.labels[:4] == ["0", "1", "2", "3"], step  # counts as buttons
    await an.press("0")
    summary = await an.wait_reply("Xem lại báo cáo")
    assert "• Có hỗ trợ giao thông: Không" in summary.text  # preset, one tap to change
    await an.press("🔄 Có hỗ trợ giao thông")
    summary = await an.wait_reply("• Có hỗ trợ giao thông: Có")
    for line in (
        f"• Ngày tuần tra: {report_day():%d/%m/%Y}",
        f"• Giờ bắt đầu: {start}",
        f"• Giờ kết thúc: {end}",
        "• Tuyến, địa bàn: Đường liên thôn Nà Lẹng",
        "• Tổ viên cùng tham gia: Trần Thị Bình",
        "• Số vụ việc phát hiện: 0",
        "• Có hỗ trợ giao thông: Có",
    ):
        assert line in summary.text, summary
    assert "➕ Thêm ghi chú" in summary.labels and "📅 Ngày khác" in summary.labels
    receipt, number = await submit(an)
    assert receipt.text.startswith(f"✅ Đã lưu báo cáo {number} ({PATROL}). Cảm ơn bạn!")
    assert number.startswith(f"BC-{today().year}-")
    notice = await binh.wait_reply("đã ghi bạn vào ca tuần tra")
    assert notice.text.startswith("👥 Nguyễn Văn An đã ghi bạn vào ca tuần tra"), notice
    assert number in notice.text and "🙅 Không phải tôi" in notice.labels

    rows = bot.reports_of(an)
    assert len(rows) == 1
    report = rows[0]
    assert (report["kind"], report["number"]) == ("patrol", number)
    assert report["report_date"] == report_day().isoformat()
    binh_id = bot.member_id(binh)
    data = json.loads(report["data"])
    assert data["start"] == start and data["end"] == end
    assert data["teammates"] == [binh_id] and data["traffic_help"] is True
    participants = bot.query(
        "SELECT member_id FROM report_participants WHERE report_id = ?", (report["id"],)
    )
    assert [p["member_id"] for p in participants] == [binh_id]
    assert bot.reports_of(binh) == []  # a team-mate, not a second reporter
    assert bot.draft_of(an).get("flow") is None
    assert_bot_healthy(bot)


async def test_good_deed_with_typed_answers_and_no_photos(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    chi = people("Lương Thị", "Chi")
    await join(chi, bot.codes["member_a"])

    step = await start_report(chi, GOOD_DEED, 2)  # the date is preset, photos offered later
    assert "Đã làm việc tốt gì?" in step.text
    await chi.send("Giúp cụ già sửa mái nhà bị dột sau mưa bão")
    step = await chi.wait_reply("Bước 2/2")
    assert "Giúp ai, ở đâu?" in step.text
    await chi.send("Cụ Hoàng Văn Tư, xóm Bản Chắt")
    summary = await chi.wait_reply(f"Xem lại báo cáo: {GOOD_DEED}")
    assert f"• Ngày: {report_day():%d/%m/%Y}" in summary.text
    assert "• Việc đã làm: Giúp cụ già sửa mái nhà bị dột sau mưa bão" in summary.text
    assert "• Giúp ai: Cụ Hoàng Văn Tư, xóm Bản Chắt" in summary.text
    assert "➕ Thêm ảnh" in summary.labels, summary  # photos offered, not asked
    receipt, number = await submit(chi)
    assert receipt.text.startswith(f"✅ Đã lưu báo cáo {number} ({GOOD_DEED}). Cảm ơn bạn!")
    assert "Công an xã" not in receipt.text  # not an urgent kind

    rows = bot.reports_of(chi)
    assert [(r["kind"], r["number"], r["urgent"]) for r in rows] == [("good_deed", number, 0)]
    data = json.loads(rows[0]["data"])
    assert data["what"] == "Giúp cụ già sửa mái nhà bị dột sau mưa bão"
    assert data["date"] == report_day().isoformat() and data.get("photos") is None
    assert bot.query("SELECT * FROM report_media WHERE report_id = ?", (rows[0]["id"],)) == []
    assert_bot_healthy(bot)


async def test_bad_answers_are_asked_again_and_nothing_is_saved(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    dao = people("Phạm Văn", "Đạo")
    await join(dao, bot.codes["member_a"])

    step = await start_report(dao, PATROL, 4)
    await dao.send("abc")
    again = await dao.wait_reply("Chưa hiểu giờ này")
    assert "Bước 1/4" in again.text and "Ca tuần tra nào?" in again.text
    start, end = await just_finished_shift(dao)
    await dao.wait_reply("Bước 2/4")
    await dao.send("Quốc lộ 1B qua Bắc Sơn")
    await dao.wait_reply("Bước 3/4")
    await dao.press("✔ Xong")
    step = await dao.wait_reply("Bước 4/4")
    assert "Gõ một số từ 0 đến 100." in step.text

    await dao.send("500")
    again = await dao.wait_reply("không được lớn hơn 100")
    assert "Bước 4/4" in again.text and "Phát hiện bao nhiêu vụ việc?" in again.text
    await dao.send("nhiều lắm")
    again = await dao.wait_reply("Vui lòng gõ một số")
    assert "Bước 4/4" in again.text

    # The draft holds the good answers only, none of the refused ones.
    draft = bot.draft_of(dao)
    assert draft["field"] == "incidents"
    assert draft["answers"] == {
        "date": report_day().isoformat(),
        "start": start,
        "end": end,
        "route": "Quốc lộ 1B qua Bắc Sơn",
        "teammates": [],
        "traffic_help": False,
        "serious_accident": False,  # 4.6 preset, kept only once incidents > 0
    }
    await dao.press("✖ Hủy")
    await dao.wait_reply(CANCELLED)
    assert bot.reports_of(dao) == []
    assert_bot_healthy(bot)


async def test_cancel_saves_nothing(bot: World, people: Callable[..., EmulatorUser]) -> None:
    em = people("Hà Thị", "Em")
    await join(em, bot.codes["member_a"])
    reports_before = bot.query("SELECT count(*) AS n FROM reports")[0]["n"]

    await start_report(em, GOOD_DEED, 2)
    await em.send("Dẫn đường cho khách lạc")
    await em.wait_reply("Bước 2/2")
    assert bot.draft_of(em)["answers"]["what"] == "Dẫn đường cho khách lạc"  # kept as a draft
    await em.press("✖ Hủy")
    cancelled = await em.wait_reply(CANCELLED)
    assert "📝 Báo cáo" in cancelled.labels  # back at the menu

    assert bot.reports_of(em) == []
    assert bot.query("SELECT count(*) AS n FROM reports")[0]["n"] == reports_before
    assert "flow" not in bot.draft_of(em) and "answers" not in bot.draft_of(em)
    # The draft is gone: /baocao starts afresh, no offer to resume.
    await em.send("/baocao")
    kinds = await em.wait_reply("Bạn muốn báo cáo việc gì?")
    assert "làm dở" not in kinds.text and GOOD_DEED in kinds.labels
    assert_bot_healthy(bot)


@pytest.mark.both_backends
async def test_a_real_report_replaces_the_days_nil_and_a_nil_is_refused_after(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    dung = people("Phạm Văn", "Dũng")
    await join(dung, bot.codes["member_a"])
    await dung.send("/khongcovuviec")
    await dung.wait_reply("không có vụ việc")
    [nil] = bot.reports_of(dung)
    day = date.fromisoformat(nil["report_date"])  # the reporting day (before 06:00: yesterday)

    await start_report(dung, GOOD_DEED, 2)  # the date is preset to the same reporting day
    await dung.send("Giúp bà con gặt lúa chạy mưa")
    await dung.wait_reply("Bước 2/2")
    await dung.send("Nhà bà Hoàng Thị Mến, xóm Nà Lẹng")
    summary = await dung.wait_reply(f"Xem lại báo cáo: {GOOD_DEED}")
    assert f"• Ngày: {day:%d/%m/%Y}" in summary.text
    receipt, number = await submit(dung)
    assert receipt.text.startswith(f"✅ Đã lưu báo cáo {number} ({GOOD_DEED}). Cảm ơn bạn!")
    assert (
        f"ℹ️ Báo cáo “Không có vụ việc” ngày {day:%d/%m/%Y} đã được thay bằng báo cáo này."
        in receipt.text
    )
    assert [(r["number"], r["kind"], r["status"]) for r in bot.reports_of(dung)] == [
        (nil["number"], "nil", "withdrawn"),
        (number, "good_deed", "active"),
    ]

    await dung.send("/khongcovuviec")  # now refused, naming the report that stands
    refused = await dung.wait_reply("không báo “không có vụ việc” được nữa")
    assert refused.text.startswith(
        f"Ngày {day:%d/%m/%Y} bạn đã gửi báo cáo {number} ({GOOD_DEED}), nên không báo"
    )
    assert "“📋 Báo cáo của tôi”" in refused.text
    assert len(bot.reports_of(dung)) == 2
    assert_bot_healthy(bot)


@pytest.mark.both_backends
async def test_fire_report_alerts_the_commune_police_who_acknowledge_it(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    cuong = people("Hoàng Văn", "Cường")  # officer of the reporter's commune
    dung = people("Lý Minh", "Dũng")  # officer of the province (contains the team too)
    hai = people("Vi Văn", "Hải")  # officer of the other commune
    hoa = people("Nông Thị", "Hoa")  # the reporter
    welcome = await join(cuong, bot.codes["officer_commune"])
    assert "🚨 Tin báo chờ tiếp nhận" in welcome.labels and "📝 Báo cáo" not in welcome.labels
    await join(dung, bot.codes["officer_province"])
    await join(hai, bot.codes["officer_other"])
    await join(hoa, bot.codes["member_a"])

    step = await start_report(hoa, FIRE, 6)  # the date is preset (today: urgent)
    assert step.labels[:3] == ["Cháy", "Cứu nạn", "Cứu hộ"]
    await hoa.press("Cháy")
    await hoa.wait_reply("Bước 2/6")
    await hoa.send_location(21.90012, 106.09034)
    await hoa.wait_reply("Bước 3/6")
    await hoa.press("Có")
    step = await hoa.wait_reply("Bước 4/6")
    assert "có mặt kịp thời" in step.text
    await hoa.press("Có")
    await hoa.wait_reply("Bước 5/6")
    await hoa.send("3")
    await hoa.wait_reply("Bước 6/6")
    await hoa.send("Dập tắt đám cháy kho rơm, không có thiệt hại về người")
    summary = await hoa.wait_reply("Xem lại báo cáo")
    assert "• Địa điểm: 📍 21.90012, 106.09034" in summary.text
    receipt, number = await submit(hoa)
    assert "🚨 Đã gửi ngay tới " in receipt.text  # how many: who joined before

    alert = await cuong.wait_reply("BÁO CÁO KHẨN")
    assert alert.text.startswith(f"🚨 BÁO CÁO KHẨN: {FIRE} — {number}")
    assert "Người báo: Nông Thị Hoa (Thôn Nà Lẹng)" in alert.text
    assert "• Loại: Cháy" in alert.text and "• Số người được giúp: 3" in alert.text
    assert alert.labels == ["✅ Đã tiếp nhận"]
    province_alert = await dung.wait_reply("BÁO CÁO KHẨN")
    assert number in province_alert.text and province_alert.labels == ["✅ Đã tiếp nhận"]

    await cuong.press("✅ Đã tiếp nhận")
    await cuong.wait_callback_answer()
    done = await cuong.wait_reply("Bạn đã tiếp nhận")
    assert done.text.startswith(f"✅ Bạn đã tiếp nhận {number} lúc ")
    assert "Người báo đã được thông báo." in done.text
    assert cuong.messages[alert.message_id].buttons == ()  # pressed: the button is gone

    notice = await hoa.wait_reply("tiếp nhận")
    assert notice.text.startswith(
        f"🚓 Báo cáo {number} của bạn đã được Hoàng Văn Cường (Cán bộ Công an xã) tiếp nhận lúc "
    )
    closed = await dung.wait_reply("đã được Hoàng Văn Cường tiếp nhận")
    assert closed.edited and closed.message_id == province_alert.message_id
    assert closed.buttons == ()  # nobody else acknowledges it a second time

    rows = bot.reports_of(hoa)
    assert [(r["kind"], r["number"], r["urgent"]) for r in rows] == [("fire_rescue", number, 1)]
    assert rows[0]["ack_by"] == bot.member_id(cuong) and rows[0]["ack_at"]
    alerted = {
        a["member_id"]
        for a in bot.query("SELECT member_id FROM alerts WHERE report_id = ?", (rows[0]["id"],))
    }
    assert {bot.member_id(cuong), bot.member_id(dung)} <= alerted  # (and any earlier officers)
    assert bot.member_id(hai) not in alerted

    await hai.expect_silence(1.0)  # the other commune never hears of it
    assert not any("BÁO CÁO KHẨN" in text for text in hai.all_texts())
    assert_bot_healthy(bot)


async def test_an_edit_after_acknowledgement_reaches_the_officer(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    """A member changes "arrived in time" after the officer took the fire up: the officer
    reads the old and the new answer (a team cannot quietly game the fire target)."""
    cuong = people("Hà Văn", "Cường")  # officer of the reporter's commune
    lan = people("Lò Thị", "Lan")  # the reporter
    await join(cuong, bot.codes["officer_commune"])
    await join(lan, bot.codes["member_a"])
    await start_report(lan, FIRE, 6)
    await lan.press("Cháy")
    await lan.wait_reply("Bước 2/6")
    await lan.send("Kho rơm nhà ông Tài")
    await lan.wait_reply("Bước 3/6")
    await lan.press("Có")
    await lan.wait_reply("Bước 4/6")
    await lan.press("Có")
    await lan.wait_reply("Bước 5/6")
    await lan.send("0")
    await lan.wait_reply("Bước 6/6")
    await lan.send("Đã dập tắt")
    await lan.wait_reply("Xem lại báo cáo")
    _, number = await submit(lan)
    alert = await cuong.wait_reply(f"BÁO CÁO KHẨN: {FIRE} — {number}")
    await cuong.press("✅ Đã tiếp nhận")
    await cuong.wait_reply("Bạn đã tiếp nhận")
    await lan.wait_reply("tiếp nhận")

    await lan.send("/baocaocuatoi")
    await lan.wait_reply("Báo cáo gần đây của bạn")
    await lan.press(number)
    await lan.wait_reply("Có thể sửa hoặc rút lại")
    await lan.press("✏️ Sửa")
    await lan.wait_reply("Chọn mục cần sửa")
    await lan.press("Có mặt kịp thời")
    await lan.wait_reply("Tổ có mặt kịp thời không?")
    await lan.press("Không")
    await lan.wait_reply("Chọn mục cần sửa")
    await lan.press("💾 Lưu thay đổi")
    await lan.wait_reply(f"Đã lưu thay đổi của báo cáo {number}")

    change = await cuong.wait_reply(f"đã sửa báo cáo {number}")
    assert change.text.startswith(f"✏️ Lò Thị Lan đã sửa báo cáo {number} ({FIRE}) lúc ")
    assert change.text.endswith("• Có mặt kịp thời: Có → Không")
    assert change.message_id != alert.message_id  # a new message, not an edit of the alert
    report_id = bot.reports_of(lan)[0]["id"]
    events = bot.query(
        "SELECT state, detail FROM report_events WHERE report_id = ? ORDER BY id", (report_id,)
    )
    assert [(e["state"], e["detail"]) for e in events][-1] == (
        "acknowledged",
        '{"edited": ["in_time"]}',
    )
    assert_bot_healthy(bot)


@pytest.mark.both_backends
async def test_a_supervisor_reads_the_tally_of_last_month_and_of_a_commune(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    lan = people("Đinh Thị", "Lan")  # a member who files a nil report today
    ha = people("Vũ Thu", "Hà")  # supervisor of the province
    await join(lan, bot.codes["member_a"])
    await lan.send("/khongcovuviec")
    await lan.wait_reply("không có vụ việc")
    welcome = await join(ha, bot.codes["supervisor_province"])
    assert "📊 Thống kê" in welcome.labels

    await ha.send("/thongke")
    first = await ha.wait_reply("📊 Thống kê Tỉnh Lạng Sơn")
    assert "🔎 Xã Bắc Sơn" in first.labels and "🔎 Xã Vũ Lăng" in first.labels

    await ha.press("Tháng trước")
    last_month = (today().replace(day=1) - timedelta(days=1)).strftime("%m/%Y")
    table = await ha.wait_reply(f"Tháng {last_month}")
    assert table.text.startswith(f"📊 Thống kê Tỉnh Lạng Sơn · Tháng {last_month} (01/")
    assert "Chỉ tiêu (số tổ đạt / số tổ áp dụng):" in table.text
    assert "• Tháng trước" in table.labels

    await ha.press("🔎 Xã Bắc Sơn")
    commune = await ha.wait_reply("📊 Thống kê Xã Bắc Sơn")
    assert commune.text.startswith(f"📊 Thống kê Xã Bắc Sơn · Tháng {last_month}")
    lines = commune.text.splitlines()
    # Nobody reported last month. Lan's nil report is for the reporting day: before 06:00 on
    # the 1st that is last month's last day, when Lan, who joined today, was not serving yet.
    nil_last_month = report_day() < today().replace(day=1)
    assert lines[2].startswith("Tổng: 2 tổ · 0/"), commune
    assert any(line.startswith("▪️ Thôn Nà Lẹng — đạt") for line in lines), commune
    assert any(line.startswith("▪️ Thôn Khuôn Pinh — đạt") for line in lines), commune
    assert "Thôn Pò Hèn" not in commune.text  # the other commune's team
    assert "⬆ Tỉnh Lạng Sơn" in commune.labels

    # the files follow each table: a chart, the workbook and the CSV (those of the province
    # may still be arriving: files are built in the background while the bot answers)
    files: dict[str, BotMessage] = {}
    photos = 0
    while len(files) < 2:
        event = await ha.wait_reply()
        photos += bool(event.photo)
        name = (event.document or {}).get("file_name", "")
        if name.startswith("thongke_xa-bac-son_"):
            files[name.rsplit(".", 1)[1]] = event
    assert photos >= 1
    book, sheet = files["xlsx"], files["csv"]
    workbook = openpyxl.load_workbook(io.BytesIO(await ha.download(book)))
    # teams, the commune, each member, the tip and fire targets, every target with the goals
    # applied, the urgent reports, the raw reports
    assert len(workbook.sheetnames) == 7
    assert "Từng thành viên" in workbook.sheetnames and "Chỉ tiêu" in workbook.sheetnames
    rows = (await ha.download(sheet)).decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and "Thôn Nà Lẹng" in "".join(rows)

    await ha.press("Tháng này")
    now_table = await ha.wait_reply("📊 Thống kê Xã Bắc Sơn")
    # Lan's nil report is counted in the month of its reporting day (this one, but on the 1st
    # before 06:00)
    if not nil_last_month:
        nils = re.search(r"✅ Không có vụ việc (\d+)", now_table.text)
        assert nils and int(nils.group(1)) >= 1, now_table
    assert_bot_healthy(bot)


async def test_replies_that_echo_a_pasted_page_still_arrive(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    """The emulator refuses texts over 4,096 characters, as Telegram does: every reply that
    repeats what was typed must still fit."""
    ha = people("Lý Thu", "Hà")
    await join(ha, bot.codes["supervisor_province"])
    pasted = "Xã Không Có Thật " * 280  # 4,760 characters
    await ha.send(f"/thongke {pasted}")
    unknown = await ha.wait_reply("Không tìm thấy đơn vị")
    assert "…" in unknown.text and len(unknown.text) < 1000
    await ha.send("/" + "x" * 4500)
    assert "Không có lệnh" in (await ha.wait_reply("Không có lệnh")).text
    assert_bot_healthy(bot)


@pytest.mark.both_backends
async def test_two_officers_pressing_at_once_acknowledge_a_tip_once(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    khanh = people("Triệu Văn", "Khánh")
    linh = people("Mã Thị", "Linh")
    minh = people("La Văn", "Minh")  # the reporter
    await join(khanh, bot.codes["officer_commune"])
    await join(linh, bot.codes["officer_commune"])
    await join(minh, bot.codes["member_a"])

    # six steps until the kind is known: a traffic accident adds "serious?" (4.6)
    await start_report(minh, TIP, 6)
    await minh.press("Người dân báo")
    await minh.wait_reply("Bước 2/6")
    await minh.press("Mâu thuẫn, tranh chấp")
    await minh.wait_reply("Bước 3/5")
    await minh.press("Khẩn cấp")
    await minh.wait_reply("Bước 4/5")
    await minh.send("Đầu cầu Bản Lếch")
    await minh.wait_reply("Bước 5/5")
    await minh.send("Hai nhóm thanh niên cãi nhau, có gậy gộc")
    await minh.wait_reply("Xem lại báo cáo")
    receipt, number = await submit(minh)
    assert "🚨 Đã gửi ngay tới " in receipt.text  # how many: who joined before

    alerts = {}
    for officer in (khanh, linh):
        alert = await officer.wait_reply("BÁO CÁO KHẨN")
        assert alert.text.startswith(f"🚨 BÁO CÁO KHẨN: {TIP} — {number}"), alert
        assert "• Mức độ: Khẩn cấp" in alert.text and "• Địa điểm: Đầu cầu Bản Lếch" in alert.text
        alerts[officer.user_id] = alert
    await asyncio.gather(khanh.press("✅ Đã tiếp nhận"), linh.press("✅ Đã tiếp nhận"))
    await khanh.wait_callback_answer()
    await linh.wait_callback_answer()

    rows = bot.reports_of(minh)
    assert [(r["kind"], r["number"]) for r in rows] == [("tip", number)]
    winner, loser = (khanh, linh) if rows[0]["ack_by"] == bot.member_id(khanh) else (linh, khanh)
    assert rows[0]["ack_by"] == bot.member_id(winner)
    winner_name = f"{winner.first_name} {winner.last_name}"
    done = await winner.wait_reply("tiếp nhận")
    assert done.text.startswith(f"✅ Bạn đã tiếp nhận {number} lúc "), done
    steps = await winner.wait_reply("bấm một bước")  # what the winner can do next
    assert "✅ Đã giải quyết" in steps.labels
    # The one who was a moment late is told who took it, and the alert's button is gone.
    told = sorted(
        [(await loser.wait_reply(f"đã được {winner_name} tiếp nhận lúc")).text for _ in range(2)]
    )
    assert told[0].startswith(f"Báo cáo {number} đã được {winner_name} tiếp nhận lúc "), told
    assert told[1].startswith(f"✅ Báo cáo {number} đã được {winner_name}"), told  # the alert
    assert loser.messages[alerts[loser.user_id].message_id].buttons == ()
    assert winner.messages[alerts[winner.user_id].message_id].buttons == ()

    notice = await minh.wait_reply("tiếp nhận")
    assert f"đã được {winner_name} (Cán bộ Công an xã) tiếp nhận" in notice.text
    await asyncio.gather(minh.expect_silence(0.5), winner.expect_silence(0.5))
    assert sum("tiếp nhận lúc" in t for t in minh.all_texts()) == 1  # told once
    assert_bot_healthy(bot)


async def test_wizard_resumes_after_the_bot_is_killed(
    bot: World, emulator: Emulator, people: Callable[..., EmulatorUser]
) -> None:
    giang = people("Đinh Thị", "Giang")
    await join(giang, bot.codes["member_a"])
    await join(people("Hà Văn", "Tám"), bot.codes["member_a"])  # a team-mate, however run

    await start_report(giang, PATROL, 4)
    start, end = await just_finished_shift(giang)
    await giang.wait_reply("Bước 2/4")

    assert bot.bot.kill() == -9  # a crash, or the power going off
    bot.bot.start()
    await emulator.wait_polling(bot.token, bot=bot.bot)
    await giang.expect_silence(0.5)  # an update redelivered after the crash is not re-run

    await giang.send("Ngã ba chợ Bắc Sơn")
    step = await giang.wait_reply("Bước 3/4")
    assert "Những ai trong tổ cùng tuần tra?" in step.text
    await giang.press("🙋 Một mình")
    await giang.wait_reply("Bước 4/4")
    await giang.press("1")
    await giang.wait_reply("Xem lại báo cáo")
    await giang.press("➕ Thêm ghi chú")  # the note is offered on the summary, not asked
    await giang.wait_reply("Ghi chú thêm")
    await giang.send("Nhắc nhở một nhóm thanh niên tụ tập")
    summary = await giang.wait_reply("• Ghi chú: ")
    for line in (
        f"• Ngày tuần tra: {report_day():%d/%m/%Y}",
        f"• Giờ bắt đầu: {start}",
        f"• Giờ kết thúc: {end}",
        "• Tuyến, địa bàn: Ngã ba chợ Bắc Sơn",
        "• Số vụ việc phát hiện: 1",
        "• Có hỗ trợ giao thông: Không",
        "• Ghi chú: Nhắc nhở một nhóm thanh niên tụ tập",
    ):
        assert line in summary.text, summary
    _, number = await submit(giang)

    rows = bot.reports_of(giang)
    assert [(r["kind"], r["number"]) for r in rows] == [("patrol", number)]
    data = json.loads(rows[0]["data"])
    assert (data["start"], data["end"], data["route"]) == (start, end, "Ngã ba chợ Bắc Sơn")
    assert data["note"] == "Nhắc nhở một nhóm thanh niên tụ tập" and data["incidents"] == 1
    assert_bot_healthy(bot)


async def _getupdates_offsets(emulator: Emulator, token: str, since: float = 0) -> list[int]:
    calls = await emulator.calls(token, "getUpdates", since or None)
    return [int(c["params"].get("offset") or 0) for c in calls]


@pytest.mark.sqlite_only  # holds SQLite's write lock
async def test_an_answer_received_just_before_a_crash_is_not_lost(
    bot: World, emulator: Emulator, people: Callable[..., EmulatorUser]
) -> None:
    """Killed after receiving an answer but before storing it: the answer is handled later.

    The test holds the database's write lock, so the bot can fetch the answer from Telegram but
    store nothing; then the bot is killed (an OOM kill or a power cut at that moment). After the
    restart the answer must still be handled: Telegram gives it again unless the bot already
    confirmed it (python-telegram-bot confirms a batch by the offset of its next getUpdates,
    before its handlers finish), in which case the bot must have kept it itself.
    """
    huong = people("Bế Thị", "Hương")
    await join(huong, bot.codes["member_a"])
    await start_report(huong, PATROL, 4)
    await just_finished_shift(huong)
    await huong.wait_reply("Bước 2/4")

    lock = sqlite3.connect(bot.db, timeout=5, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")  # the bot's next write waits (busy_timeout 5 s)
        before = max(await _getupdates_offsets(emulator, bot.token))
        sent_at = time.time()
        await huong.send("Bản Lếch")
        # Give the bot time to fetch it and, if it does, to confirm it to Telegram.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            if any(o > before for o in await _getupdates_offsets(emulator, bot.token, sent_at)):
                await asyncio.sleep(0.2)  # confirmed: let the handler reach the lock
                break
            await asyncio.sleep(0.02)
        assert bot.bot.kill() == -9
    finally:
        lock.close()
    assert bot.draft_of(huong)["field"] == "route"  # nothing of the answer stored before the crash

    bot.bot.start()
    await emulator.wait_polling(bot.token, bot=bot.bot)
    step = await huong.wait_reply("Bước 3/4")  # the answer handled after all, once
    assert "Những ai trong tổ cùng tuần tra?" in step.text
    await huong.expect_silence(0.3)
    assert bot.draft_of(huong)["answers"]["route"] == "Bản Lếch"
    await huong.press("🙋 Một mình")
    await huong.wait_reply("Bước 4/4")
    assert_bot_healthy(bot)


async def test_a_stranger_only_learns_how_to_join(
    bot: World, people: Callable[..., EmulatorUser]
) -> None:
    stranger = people("Người", "Lạ")
    for text in ("/baocao", "xin chào", "/start", "/tinbao"):
        await stranger.send(text)
        reply = await stranger.wait_reply()
        assert reply.text.startswith(HOW_TO_JOIN), (text, reply)
        assert "/start MÃ_MỜI" in reply.text
    await stranger.send("/start SAIMA999")
    wrong = await stranger.wait_reply()
    assert wrong.text.startswith("Mã mời không đúng."), wrong
    await stranger.expect_silence(0.5)

    assert len(stranger.events) == 5
    assert stranger.visible_buttons() == {}  # nothing to press, ever
    identities = bot.query(
        "SELECT * FROM identities WHERE channel = 'telegram' AND user_id = ?",
        (str(stranger.user_id),),
    )
    assert identities == []
    assert bot.query("SELECT * FROM members WHERE full_name = 'Người Lạ'") == []
    assert bot.draft_of(stranger) == {}  # no dialog state kept for them either
    assert_bot_healthy(bot)


@pytest.mark.both_backends
def test_the_bot_log_holds_no_token_and_no_personal_data(world: World) -> None:
    """Runs last in this module: everything the bot printed while people used it."""
    log = world.bot.output()
    assert log.strip(), "the bot printed nothing at all"
    assert world.token not in log
    assert world.token.split(":", 1)[1] not in log
    for personal in (
        "Trần Thị Bình",
        "Nguyễn Văn An",
        "Lương Thị Chi",
        "Giúp cụ già sửa mái nhà",
        "Cụ Hoàng Văn Tư",
        "Đường liên thôn Nà Lẹng",
    ):
        assert personal not in log, f"personal data in the log: {personal!r}"
    for line in log.splitlines():
        if line.startswith("{"):
            assert json.loads(line)["level"] in {"debug", "info", "warning", "error", "critical"}
