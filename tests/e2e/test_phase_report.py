"""/baocaodot end to end: a good deed with a photo sent on Telegram, then an officer's phase
report whose DOCX embeds that photo, fetched back through the Bot API (getFile)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import docx
import openpyxl
import pytest
from PIL import Image

from .client import EmulatorUser, next_user_id
from .harness import Emulator, antt_bot, new_bot_token
from .test_field_reports import (
    COMMUNE,
    GOOD_DEED,
    ORG_CSV,
    TEAM_A,
    World,
    assert_bot_healthy,
    join,
    start_report,
    submit,
    today,
)

pytestmark = pytest.mark.e2e


def jpeg() -> bytes:
    """A real small JPEG, so python-docx can embed it."""
    out = io.BytesIO()
    Image.new("RGB", (16, 12), "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def world(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("phase-report")
    db_path = root / "bot.sqlite3"
    config = root / "config.toml"
    start, end = today() - timedelta(days=10), today() + timedelta(days=10)
    config.write_text(
        f"""[database]
path = "{db_path}"
[telegram]
base_url = "{emulator.url}"
bot_username = "antt_test_bot"
poll_interval = 0.05
[reminders]
enabled = false
quiet_start = "00:00"
quiet_end = "00:00"
[[reminders.milestones]]
name = "Báo cáo sơ kết Đợt 1"
due = {end.isoformat()}
report = "so_ket"
phase = "Đợt 1"
[[tally.phases]]
name = "Đợt 1"
theme = "Thi đua lập thành tích"
start = {start.isoformat()}
end = {end.isoformat()}
""",
        encoding="utf-8",
    )
    token = new_bot_token()
    bot = antt_bot(config, {"ANTT_TELEGRAM_TOKEN": token}, root / "bot.log")
    w = World(root, config, str(db_path), token, bot, emulator.url)
    org = root / "units.csv"
    org.write_text(ORG_CSV, encoding="utf-8")
    w.cli("org", "import", str(org))
    w.codes = {
        "member_a": w.invite(TEAM_A, "member"),
        "officer_commune": w.invite(COMMUNE, "officer"),
    }
    bot.start()
    try:
        yield w
    finally:
        bot.stop()


async def test_the_phase_report_embeds_a_photo_sent_on_telegram(
    world: World, emulator: Emulator, request: pytest.FixtureRequest
) -> None:
    request.node.e2e_processes = [world.bot]
    await emulator.wait_polling(world.token, bot=world.bot)

    def person(first: str, last: str) -> EmulatorUser:
        return EmulatorUser(
            world.emulator_url, world.token, first_name=first, last_name=last,
            user_id=next_user_id(),
        )  # fmt: skip

    chi, dung = person("Hoàng Thị", "Chi"), person("Trần Văn", "Dũng")
    try:
        await join(chi, world.codes["member_a"])
        await join(dung, world.codes["officer_commune"])
        await start_report(chi, GOOD_DEED, 2)
        await chi.send("Giúp cụ già sửa mái nhà")
        await chi.wait_reply("Bước 2/2")
        await chi.send("Cụ Hoàng Văn Tư")
        await chi.wait_reply(f"Xem lại báo cáo: {GOOD_DEED}")
        await chi.press("Thêm ảnh")
        await chi.wait_reply("Gửi ảnh")
        await chi.send_photo(jpeg())
        await chi.wait_reply("Đã nhận 1 ảnh.")
        await chi.press("Xong")
        await chi.wait_reply("Xem lại báo cáo")
        await submit(chi)

        await dung.send("/baocaodot")
        await dung.wait_reply("Soạn báo cáo cho đợt nào?")
        await dung.press("Sơ kết Đợt 1")
        made = await dung.wait_reply("Đã soạn báo cáo sơ kết Đợt 1 của Xã Bắc Sơn")
        assert "1 việc tốt" in made.text
        got = {}
        while len(got) < 2:
            event = await dung.wait_reply(timeout=30)
            name = (event.document or {}).get("file_name", "")
            if name:
                got[name.rsplit(".", 1)[1]] = event
        report = docx.Document(io.BytesIO(await dung.download(got["docx"])))
        paragraphs = [p.text for p in report.paragraphs]
        assert any("Giúp cụ già sửa mái nhà" in p for p in paragraphs)
        assert len(report.inline_shapes) == 1  # fetched from Telegram and embedded
        assert not any("ảnh trên Telegram" in p for p in paragraphs)
        annex = openpyxl.load_workbook(io.BytesIO(await dung.download(got["xlsx"])))
        assert len(annex.sheetnames) >= 2

        await dung.press("Đánh dấu đã nộp")
        await dung.wait_reply("✅ Đã ghi: Xã Bắc Sơn đã nộp «Báo cáo sơ kết Đợt 1»")
        assert len(world.query("SELECT * FROM phase_reports_submitted")) == 1
        assert_bot_healthy(world)
    finally:
        await chi.aclose()
        await dung.aclose()
