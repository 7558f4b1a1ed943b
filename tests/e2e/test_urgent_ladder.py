"""Urgent reports end to end on Telegram and Zalo: the honest receipt when a commune has no
officer to alert, and the escalation ladder reaching a second person when nobody answers.

One bot process serves the module on both messengers, with an escalation ladder of seconds
([alerts] escalation after 0.05 and 0.1 minutes) so the real clock climbs it quickly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.fakezalo import FakeZalo

from .client import EmulatorUser, next_user_id
from .harness import Emulator
from .test_field_reports import FIRE, NUMBER, TIP
from .test_field_reports import join as tg_join
from .test_zalo import World, both_messengers
from .test_zalo import join as zalo_join

pytestmark = pytest.mark.e2e

PROVINCE = "Tỉnh Hà Giang"
COMMUNE = f"{PROVINCE}/Xã Yên Minh"  # has an officer
TEAM = f"{COMMUNE}/Thôn Nà Pồng"
EMPTY = f"{PROVINCE}/Xã Lao Và Chải"  # no officer at all, but a phone number
EMPTY_TEAM = f"{EMPTY}/Thôn Khâu Vai"
ORG_CSV = f"""path,kind,households,phone
{PROVINCE},province,,
{COMMUNE},commune,,0219 3 852 113
{TEAM},village,80,
{EMPTY},commune,,0219 3 800 114
{EMPTY_TEAM},village,60,
"""
NOBODY = "⚠️ Chưa báo được cho ai: xã chưa có cán bộ Công an nhận tin qua bot."
CALL = "☎️ Hãy gọi ngay Xã Lao Và Chải: 0219 3 800 114."
EMERGENCY = "Số khẩn cấp: 113 (Công an), 114 (Cứu hỏa), 115 (Cấp cứu)."
SETTINGS = """[reminders]
enabled = false
quiet_start = "00:00"
quiet_end = "00:00"
[alerts]
escalation = [
  { after_minutes = 0.05, to = "commune" },
  { after_minutes = 0.1, to = "above" },
]
"""


@pytest.fixture(scope="module")
def world(
    emulator: Emulator, fake: FakeZalo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("ladder")
    w = both_messengers(root, emulator, fake, SETTINGS)
    (root / "units.csv").write_text(ORG_CSV, encoding="utf-8")
    assert "5 created" in w.cli("org", "import", str(root / "units.csv"))
    for name, unit, role in (
        ("member", TEAM, "member"),
        ("member_empty", EMPTY_TEAM, "member"),
        ("officer", COMMUNE, "officer"),
        ("supervisor", PROVINCE, "supervisor"),
    ):
        out = w.cli("invite", "create", "--unit", unit, "--role", role, "--uses", "30")
        w.codes[name] = out.strip().splitlines()[-1].strip()
    w.bot.start()
    yield w
    w.bot.stop()


@pytest.fixture
async def bot(
    world: World, emulator: Emulator, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    request.node.e2e_processes = [world.bot]
    await world.fake.wait_polling(world.zalo_token)
    await emulator.wait_polling(world.tg_token, bot=world.bot)
    yield world
    assert world.bot.running, f"the bot died (exit {world.bot.returncode}):\n{world.bot.tail()}"
    assert "Traceback" not in world.bot.output(), world.bot.tail(80)
    assert world.fake.state(world.zalo_token).errors == []


def tg_user(w: World, first: str, last: str) -> EmulatorUser:
    return EmulatorUser(
        w.emulator_url, w.tg_token, first_name=first, last_name=last, user_id=next_user_id()
    )


async def test_a_tip_from_a_commune_without_officers_gets_the_honest_receipt(bot: World) -> None:
    # Telegram
    tg = tg_user(bot, "Sùng Văn", "Páo")
    try:
        await tg_join(tg, bot.codes["member_empty"])
        await tg.send("/baocao")
        await tg.wait_reply("Bạn muốn báo cáo việc gì?")
        await tg.press(TIP)
        await tg.wait_reply("Bước 1/6")  # until the kind is known: a traffic accident
        await tg.press("Người dân báo")  # adds "serious?" (4.6)
        await tg.wait_reply("Bước 2/6")
        await tg.press("An ninh, trật tự")
        await tg.wait_reply("Bước 3/5")
        await tg.press("Khẩn cấp")
        await tg.wait_reply("Bước 4/5")
        await tg.send("Chợ phiên Khâu Vai")
        await tg.wait_reply("Bước 5/5")
        await tg.send("Có người lạ dụ dỗ trẻ em")
        await tg.wait_reply("Xem lại báo cáo")
        await tg.press("✅ Gửi báo cáo")
        receipt = await tg.wait_reply("Đã lưu báo cáo")
        assert receipt.text.splitlines()[1:] == [NOBODY, CALL, EMERGENCY], receipt.text
        assert "Đã gửi" not in receipt.text
    finally:
        await tg.aclose()

    # Zalo
    mai = bot.fake.user(bot.zalo_token, "Giàng Thị Mai")
    await zalo_join(mai, bot.codes["member_empty"])
    await mai.send("/baocao")
    kinds = await mai.wait_reply("Bạn muốn báo cáo việc gì?")
    await mai.answer(kinds, "Tin báo ANTT")
    step = await mai.wait_reply("Bước 1/6")
    await mai.answer(step, "Người dân báo")
    step = await mai.wait_reply("Bước 2/6")
    await mai.answer(step, "Mâu thuẫn, tranh chấp")
    step = await mai.wait_reply("Bước 3/5")
    await mai.answer(step, "Khẩn cấp")
    await mai.wait_reply("Bước 4/5")
    await mai.send("Nhà văn hóa thôn Khâu Vai")
    await mai.wait_reply("Bước 5/5")
    await mai.send("Hai gia đình xô xát")
    summary = await mai.wait_reply("Xem lại báo cáo")
    await mai.answer(summary, "Gửi báo cáo")
    receipt = await mai.wait_reply("Đã lưu báo cáo")
    assert receipt.lines()[1:4] == [NOBODY, CALL, EMERGENCY], receipt.text  # then the menu

    alerted = bot.query(
        "SELECT COUNT(*) AS n FROM alerts a JOIN reports r ON r.id = a.report_id"
        " JOIN units u ON u.id = r.unit_id WHERE u.path = ? AND a.step = 0",
        (EMPTY_TEAM,),
    )
    assert alerted[0]["n"] == 0


async def test_a_fire_alert_climbs_to_the_supervisor_above_who_takes_it_up(bot: World) -> None:
    officer = tg_user(bot, "Lù Văn", "Chính")
    hoa = tg_user(bot, "Vàng Thị", "Hoa")
    # the level above, on Zalo: answers by number
    supervisor = bot.fake.user(bot.zalo_token, "Nguyễn Đức Thắng")
    try:
        await tg_join(officer, bot.codes["officer"])
        await tg_join(hoa, bot.codes["member"])
        await zalo_join(supervisor, bot.codes["supervisor"])

        await hoa.send("/baocao")
        await hoa.wait_reply("Bạn muốn báo cáo việc gì?")
        await hoa.press(FIRE)
        await hoa.wait_reply("Bước 1/6")
        await hoa.press("Cháy")
        await hoa.wait_reply("Bước 2/6")
        await hoa.send("Nương ngô thôn Nà Pồng")
        await hoa.wait_reply("Bước 3/6")
        await hoa.press("Có")
        await hoa.wait_reply("Bước 4/6")
        await hoa.press("Có")
        await hoa.wait_reply("Bước 5/6")
        await hoa.send("0")
        await hoa.wait_reply("Bước 6/6")
        await hoa.send("Đang cháy lan")
        await hoa.wait_reply("Xem lại báo cáo")
        await hoa.press("✅ Gửi báo cáo")
        receipt = await hoa.wait_reply("Đã lưu báo cáo")
        found = NUMBER.search(receipt.text)
        assert found
        number = found.group(0)
        assert "🚨 Đã gửi ngay tới 1 cán bộ Công an xã." in receipt.text

        first = await officer.wait_reply(f"🚨 BÁO CÁO KHẨN: {FIRE} — {number}")
        assert first.labels == ["✅ Đã tiếp nhận"]
        again = await officer.wait_reply("⏰ NHẮC LẠI: chưa ai tiếp nhận sau 0.05 phút")
        assert number in again.text and again.labels == ["✅ Đã tiếp nhận"]
        escalated = await supervisor.wait_reply("⏫ BÁO LÊN CẤP TRÊN", timeout=20)
        assert f"{FIRE} — {number}" in escalated.text
        assert "1. ✅ Đã tiếp nhận" in escalated.lines()

        await supervisor.send(escalated.choice_number("Đã tiếp nhận"))
        await supervisor.wait_reply(f"Bạn đã tiếp nhận {number}")
        await hoa.wait_reply(f"Báo cáo {number} của bạn đã được Nguyễn Đức Thắng")
        closed = "đã được Nguyễn Đức Thắng tiếp nhận"
        await officer.wait_reply(closed)
        row = bot.query("SELECT ack_by, state FROM reports WHERE number = ?", (number,))[0]
        assert row["state"] == "acknowledged"
        steps = bot.query(
            "SELECT a.step, o.status FROM alerts a JOIN outbox o ON o.id = a.outbox_id"
            " JOIN reports r ON r.id = a.report_id WHERE r.number = ? ORDER BY a.step",
            (number,),
        )
        assert [(s["step"], s["status"]) for s in steps] == [(0, "sent"), (1, "sent"), (2, "sent")]
    finally:
        await officer.aclose()
        await hoa.aclose()
