"""/quanly on Zalo, where everything is typed: numbers for choices, codes, names and days as
text; and a member picking the person of a reintegration visit by number."""

from __future__ import annotations

from tests.inproc.helpers import rows
from tests.inproc.manage_world import TODAY
from tests.inproc.test_zalo import Z, fake, z  # noqa: F401  (the Zalo fixtures)
from tests.support.harness import TEAM_A


async def test_a_leader_on_zalo_keeps_the_register_by_typing(z: Z) -> None:  # noqa: F811
    await z.h.add_invite("TOTRUONG", TEAM_A, "leader")
    await z.h.add_invite("TOVIEN", TEAM_A, "member")
    tu, an = z.user("Lò Văn Tú"), z.user("Nguyễn Văn An")
    await z.join(tu, "TOTRUONG")
    await z.join(an, "TOVIEN")
    z.h.clock.set(TODAY.replace(tzinfo=z.h.clock.tz))

    listed = await z.say(tu, "/quanly")
    assert listed[-1].text.startswith("🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng: 0 người.")
    assert "Gõ số mã một người" in listed[-1].text
    asked = await z.say(tu, listed[-1].choice_number("Thêm người"))
    assert asked[-1].text.startswith("✍️ Gõ mã hoặc chữ cái đầu tên")
    digits = await z.say(tu, "123")
    assert digits[-1].text.startswith("⚠️ Mã chỉ gồm chữ, số")
    named = await z.say(tu, "tb")
    assert "gõ số «Bỏ qua»" in named[-1].text
    since = await z.say(tu, "Trần Bình")
    assert since[-1].text.startswith("📅 Người này được quản lý tại địa bàn từ ngày nào? Gõ số")
    wrong = await z.say(tu, "31/2")
    assert wrong[-1].text.startswith("⚠️ Không hiểu ngày «31/2».")
    assert await z.h.count("SELECT COUNT(*) FROM supervised") == 0
    done = await z.say(tu, "1/11")
    assert done[-1].text.splitlines()[:3] == [
        "✅ Đã thêm TB vào danh sách quản lý từ ngày 01/11/2026.",
        "🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng: 1 người.",
        "• TB — Trần Bình — 🔔 sắp đến hạn thăm 01/12/2026 — chưa có lần thăm nào",
    ]
    person = await z.say(tu, done[-1].choice_number("TB"))
    day = await z.say(tu, person[-1].choice_number("Ghi nhận tái phạm"))
    assert day[-1].text.startswith("📅 Tái phạm ngày nào? Gõ số «Hôm nay»")
    recorded = await z.say(tu, "hom qua")  # without diacritics
    assert recorded[-1].text.splitlines()[0] == "✅ Đã ghi nhận TB tái phạm ngày 29/11/2026."

    await z.say(an, "/baocao")
    kinds = an.messages[-1]
    question = await z.say(an, kinds.choice_number("Cảm hóa"))
    assert "1. TB" in question[-1].lines()
    assert "Trần Bình" not in question[-1].text
    step2 = await z.say(an, "1")
    assert "Hình thức gặp gỡ?" in step2[-1].lines()
    await z.say(an, "1")
    await z.say(an, "1")
    summary = await z.say(an, "2")
    assert "• Mã hoặc chữ cái đầu tên: TB" in summary[-1].lines()
    await z.say(an, summary[-1].choice_number("Gửi báo cáo"))
    saved = await rows(z.h, "SELECT json_extract(data, '$.person') AS person FROM reports")
    assert saved == [{"person": "TB"}]
