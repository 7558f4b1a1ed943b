"""Scheduled reminders end to end: the real bot on the system clock, the emulator, people.

`[reminders] daily_at` is set a few seconds ahead. The member who has not reported gets the
reminder and the one who filed "nothing to report" does not; the bot is then killed and
started again, and nobody gets it twice. The bot's time zone is chosen so that local time is
around noon whenever the suite runs: the deadline (21:00) and quiet hours (21:30-06:30) stay
where they are by default, far from the test's minute.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import backend
from tests.support.dbread import database_toml

from .client import EmulatorUser, next_user_id
from .harness import Emulator, antt_bot, new_bot_token, slot_soon
from .test_field_reports import COMMUNE, ORG_CSV, TEAM_A, World, join

pytestmark = pytest.mark.e2e

REMINDER = "🔔 Nhắc báo cáo ngày"


def zone_near_noon(now: datetime) -> str:
    """An IANA zone (Etc/GMT±N) in which `now` is between 11:00 and 13:00."""
    offset = max(-12, min(14, 12 - now.hour))
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-7 is UTC+7


@pytest.fixture
async def world(
    emulator: Emulator, tmp_path: Path, request: pytest.FixtureRequest, db_backend: str
) -> AsyncIterator[tuple[World, ZoneInfo, datetime]]:
    """A bot whose daily reminder is due in the coming minute."""
    zone = ZoneInfo(zone_near_noon(datetime.now(UTC)))
    with backend.bot_database(tmp_path / "bot.sqlite3", db_backend) as db:
        config = tmp_path / "config.toml"
        config.write_text(
            f"""[bot]
timezone = "{zone.key}"
{database_toml(db)}[telegram]
base_url = "{emulator.url}"
bot_username = "antt_test_bot"
poll_interval = 0.05
[reminders]
daily_at = "12:00"
""",
            encoding="utf-8",
        )
        token = new_bot_token()
        bot = antt_bot(config, {"ANTT_TELEGRAM_TOKEN": token}, tmp_path / "bot.log")
        request.node.e2e_processes = [bot]
        w = World(tmp_path, config, db, token, bot, emulator.url)
        org = tmp_path / "units.csv"
        org.write_text(ORG_CSV, encoding="utf-8")
        w.cli("org", "import", str(org))
        w.codes = w.invites({"member": (TEAM_A, "member", 20), "officer": (COMMUNE, "officer", 20)})
        slot = slot_soon(config, zone)
        bot.start()
        await emulator.wait_polling(token, bot=bot)
        try:
            yield w, zone, slot
        finally:
            bot.stop()


def rows(w: World, sql: str) -> list[dict[str, Any]]:
    """Read the bot's database while it runs."""
    return w.query(sql)


@pytest.mark.both_backends
async def test_the_reminder_reaches_only_who_has_not_reported_and_once_across_a_restart(
    world: tuple[World, ZoneInfo, datetime], emulator: Emulator
) -> None:
    w, zone, slot = world
    users = []
    for first, last in (("Đinh Thị", "Lan"), ("Hoàng Văn", "Minh")):
        user = EmulatorUser(
            w.emulator_url, w.token, first_name=first, last_name=last, user_id=next_user_id()
        )
        users.append(user)
        await join(user, w.codes["member"])
    filed, idle = users
    officer = EmulatorUser(
        w.emulator_url, w.token, first_name="Cường", last_name="Hoàng", user_id=next_user_id()
    )
    await join(officer, w.codes["officer"])
    await filed.send("/khongcovuviec")
    await filed.wait_reply("không có vụ việc")
    assert datetime.now(zone) < slot, "the set-up took longer than the time it had"

    wait = (slot - datetime.now(zone)).total_seconds() + 30
    reminder = await idle.wait_reply(REMINDER, timeout=wait)
    assert f"{REMINDER} {slot:%d/%m/%Y}" in reminder.text
    assert "Chào Hoàng Văn Minh, hôm nay bạn chưa gửi báo cáo nào. Hạn chót là 21:00." in (
        reminder.text
    )
    assert reminder.labels == ["📝 Báo cáo", "✅ Không có vụ việc"]
    await filed.expect_silence(2)
    await officer.expect_silence(0.1)

    w.bot.kill()  # kill -9, then start again: the slot is recorded, nothing is planned twice
    w.bot.start()
    await emulator.wait_polling(w.token, bot=w.bot)
    await idle.expect_silence(4)
    assert sum(REMINDER in t for t in idle.all_texts()) == 1
    assert [
        r["outcome"] for r in rows(w, "SELECT outcome FROM schedule_slots WHERE job = 'remind'")
    ] == ["planned"]
    sent = rows(w, "SELECT status FROM outbox WHERE dedupe_key LIKE 'remind:%'")
    assert [r["status"] for r in sent] == ["sent"]

    await idle.press("✅ Không có vụ việc")  # the reminder's button files the nil report
    await idle.wait_reply("không có vụ việc")
    for user in (*users, officer):
        await user.aclose()
