"""/baocaodot on Zalo, which cannot send files: the report is drafted and the officer is
told plainly how to get the DOCX and XLSX; marking it submitted works by typing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.clock import ManualClock
from tests.inproc.phase_world import SO_KET, config_for
from tests.inproc.test_zalo import Z, fake  # noqa: F401  (the fake Zalo server)
from tests.support.fakezalo import FakeZalo
from tests.support.harness import COMMUNE, START, TEAM_A, make_harness


@pytest.fixture
async def zp(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Z]:  # noqa: F811
    config = config_for(tmp_path)
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, ManualClock(START), config)
    channel = ZaloChannel(config, h.runtime.engine)
    yield Z(h, fake, token, channel)
    await channel.api.aclose()
    await h.close()


async def test_an_officer_on_zalo_is_told_how_to_get_the_files(zp: Z) -> None:
    await zp.h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await zp.h.add_invite("CONGAN1", COMMUNE, "officer")
    cuong = zp.user("Hoàng Văn Cường")
    await zp.join(cuong, "CONGAN1")
    asked = await zp.say(cuong, "/baocaodot")
    made = await zp.say(cuong, asked[-1].choice_number("Sơ kết Đợt 1"))
    text = made[-1].text
    assert text.startswith("📄 Đã soạn báo cáo sơ kết Đợt 1 của Xã Bắc Sơn")
    assert (
        "📎 Zalo không gửi được tệp Word, Excel. Để lấy tệp, mở bot trên Telegram và gõ "
        "/baocaodot, hoặc nhờ quản trị viên chạy trên máy chủ:\n"
        'antt-bot phase report --unit "Tỉnh Lạng Sơn/Xã Bắc Sơn" --phase "Đợt 1"'
    ) in text
    assert "bấm" not in text.lower()
    done = await zp.say(cuong, made[-1].choice_number("Đánh dấu đã nộp"))
    assert done[0].text.startswith(f"✅ Đã ghi: Xã Bắc Sơn đã nộp «{SO_KET}» ngày 23/11/2026.")
    assert await zp.h.count("SELECT count(*) FROM phase_reports_submitted") == 1
