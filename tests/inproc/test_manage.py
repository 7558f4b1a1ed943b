"""/thanhvien on Telegram: each change made in chat, confirmed, kept and told to the member."""

from __future__ import annotations

from storage import units
from tests.inproc.helpers import one, press_data, rows
from tests.inproc.manage_world import build, notices, saved
from tests.support.harness import COMMUNE, TEAM_A, TEAM_B, Harness, TgUser


async def _to_action(officer: TgUser, unit: str, name: str) -> None:
    await officer.send("/thanhvien")
    await officer.press(unit)
    await officer.press(name)


async def test_an_officer_moves_a_member_and_the_member_is_told(h: Harness) -> None:
    w = await build(h)
    cuong, an = w.p.cuong, w.p.an
    asked = await cuong.send("/thanhvien")
    assert asked[-1].text.startswith("👥 Xem thành viên của đơn vị nào? Bấm tên đơn vị")
    assert asked[-1].labels() == ["Xã Bắc Sơn", "Thôn Khuôn Pinh", "Thôn Nà Lẹng", "✖ Hủy"]
    listed = await cuong.press("Nà Lẹng")
    assert listed[-1].text.splitlines()[:3] == [
        "👥 Thôn Nà Lẹng — 2 người đang trong lực lượng:",
        "• Lò Văn Tú — Tổ trưởng",
        "• Nguyễn Văn An — Tổ viên",
    ]
    assert listed[-1].labels() == ["Lò Văn Tú", "Nguyễn Văn An", "✖ Hủy"]
    actions = await cuong.press("Nguyễn Văn An")
    assert actions[-1].text == "👤 Nguyễn Văn An — Tổ viên, Thôn Nà Lẹng. Thay đổi gì?"
    assert actions[-1].labels() == ["🎖 Đổi vai trò", "🔀 Chuyển tổ", "🚪 Ghi đã nghỉ", "✖ Hủy"]
    where = await cuong.press("Chuyển tổ")
    assert where[-1].labels() == ["Thôn Khuôn Pinh", "✖ Hủy"]  # his commune's other team
    day = await cuong.press("Khuôn Pinh")
    assert day[-1].text.startswith("📅 Thay đổi có hiệu lực từ ngày nào?")
    confirm = await cuong.press("Hôm nay")
    assert confirm[-1].text == (
        "Chuyển Nguyễn Văn An từ Thôn Nà Lẹng sang Thôn Khuôn Pinh từ ngày 30/11/2026?"
    )
    assert confirm[-1].labels() == ["✅ Xác nhận", "✖️ Hủy"]
    before = await saved(h)
    done = await cuong.press("Xác nhận")
    assert done[-1].text.splitlines()[:2] == [
        "✅ Đã chuyển Nguyễn Văn An sang Thôn Khuôn Pinh từ ngày 30/11/2026.",
        "📨 Đã báo cho Nguyễn Văn An.",
    ]
    await h.drain()
    assert notices(an) == [
        "ℹ️ Hoàng Văn Cường đã chuyển bạn sang Thôn Khuôn Pinh từ ngày 30/11/2026. Báo cáo từ"
        " nay tính cho Thôn Khuôn Pinh; báo cáo đã gửi vẫn thuộc tổ cũ."
    ]
    stretches = await rows(
        h,
        "SELECT unit_id, start_date, end_date FROM memberships WHERE member_id = ? ORDER BY id",
        (w.ids["an"],),
    )
    assert stretches == [
        {"unit_id": w.unit_ids[TEAM_A], "start_date": "2026-10-01", "end_date": "2026-11-29"},
        {"unit_id": w.unit_ids[TEAM_B], "start_date": "2026-11-30", "end_date": None},
    ]
    entry = await one(h, "SELECT * FROM audit_trail")
    assert (entry["actor_id"], entry["action"], entry["subject_id"]) == (
        w.ids["cuong"],
        "move",
        str(w.ids["an"]),  # subject ids are kept as text (members, invites, units alike)
    )
    assert len((await saved(h))["audit"]) == len(before["audit"]) + 1
    menu = await an.send("/menu")
    assert "Thôn Khuôn Pinh" in menu[-1].text


async def test_a_new_role_from_a_typed_day(h: Harness) -> None:
    w = await build(h)
    cuong, an = w.p.cuong, w.p.an
    await _to_action(cuong, "Nà Lẹng", "Nguyễn Văn An")
    roles = await cuong.press("Đổi vai trò")
    assert roles[-1].text == "Nguyễn Văn An đang là Tổ viên. Giao vai trò nào?"
    assert roles[-1].labels() == ["Tổ phó", "Tổ trưởng", "✖ Hủy"]
    await cuong.press("Tổ phó")
    confirm = await cuong.send("25/11")
    assert confirm[-1].text == (
        "Giao cho Nguyễn Văn An (Thôn Nà Lẹng) vai trò Tổ phó thay cho Tổ viên từ ngày 25/11/2026?"
    )
    done = await cuong.press("Xác nhận")
    assert done[-1].text.startswith("✅ Nguyễn Văn An giữ vai trò Tổ phó từ ngày 25/11/2026.")
    await h.drain()
    assert notices(an) == ["ℹ️ Hoàng Văn Cường đã giao cho bạn vai trò Tổ phó từ ngày 25/11/2026."]
    assert await h.count("SELECT COUNT(*) FROM members WHERE role = 'deputy'") == 1


async def test_left_then_back_and_told_each_time(h: Harness) -> None:
    w = await build(h)
    cuong, an = w.p.cuong, w.p.an
    await _to_action(cuong, "Nà Lẹng", "Nguyễn Văn An")
    asked = await cuong.press("Ghi đã nghỉ")
    assert asked[-1].text.startswith(
        "📅 Nghỉ từ ngày nào (ngày đầu tiên không còn trong lực lượng)?"
    )
    confirm = await cuong.send("hôm qua")
    assert confirm[-1].text.startswith(
        "Ghi Nguyễn Văn An (Thôn Nà Lẹng) đã nghỉ từ ngày 29/11/2026? Từ ngày đó"
    )
    done = await cuong.press("Xác nhận")
    assert done[-1].text.startswith("✅ Đã ghi Nguyễn Văn An nghỉ từ ngày 29/11/2026.")
    await h.drain()
    assert notices(an)[-1].startswith(
        "ℹ️ Hoàng Văn Cường đã ghi bạn nghỉ, không còn trong lực lượng từ ngày 29/11/2026."
    )
    answer = await an.send("/baocao")
    assert answer[-1].text == (
        "Bạn (Nguyễn Văn An) đã nghỉ, không còn trong lực lượng từ ngày 29/11/2026, nên bot"
        " không nhận báo cáo của bạn nữa. Nếu có nhầm lẫn, hãy báo Công an xã để được cho trở lại."
    )
    assert (await an.send("xin chào"))[-1].text.startswith("Bạn (Nguyễn Văn An) đã nghỉ")

    await cuong.send("/thanhvien")
    listed = await cuong.press("Nà Lẹng")
    assert "Đã nghỉ:" in listed[-1].text.splitlines()
    assert "• Nguyễn Văn An — Tổ viên — nghỉ từ 29/11/2026" in listed[-1].text.splitlines()
    back = await cuong.press("Nguyễn Văn An (đã nghỉ)")
    assert back[-1].labels() == ["↩️ Cho trở lại", "✖ Hủy"]
    await cuong.press("Cho trở lại")
    confirm = await cuong.press("Hôm nay")
    assert (
        confirm[-1].text
        == "Cho Nguyễn Văn An trở lại Thôn Nà Lẹng, vai trò Tổ viên, từ ngày 30/11/2026?"
    )
    done = await cuong.press("Xác nhận")
    assert done[-1].text.startswith("✅ Nguyễn Văn An đã trở lại Thôn Nà Lẹng từ ngày 30/11/2026.")
    await h.drain()
    assert notices(an)[-1] == (
        "ℹ️ Hoàng Văn Cường đã ghi bạn trở lại Thôn Nà Lẹng từ ngày 30/11/2026."
        " Chào mừng bạn trở lại!"
    )
    assert (await an.send("/menu"))[-1].text.startswith("Xin chào Nguyễn Văn An")
    actions = await rows(h, "SELECT action FROM audit_trail ORDER BY id")
    assert actions == [{"action": "leave"}, {"action": "return"}]


async def test_bad_days_are_explained_asked_again_and_save_nothing(h: Harness) -> None:
    w = await build(h)
    cuong = w.p.cuong
    await _to_action(cuong, "Nà Lẹng", "Nguyễn Văn An")
    await cuong.press("Chuyển tổ")
    await cuong.press("Khuôn Pinh")
    before = await saved(h)
    cases = {
        "ngày mai": "⚠️ Ngày này chưa tới. Chỉ ghi được thay đổi từ hôm nay (30/11/2026)"
        " trở về trước.",
        "15/10": "⚠️ Không ghi lùi được trước ngày 01/11/2026: số liệu các tháng trước đã chốt"
        " và có thể đã gửi lên cấp trên. Hãy chọn một ngày từ 01/11/2026 đến hôm nay.",
        "hôm kia nữa": "⚠️ Không hiểu ngày «hôm kia nữa». Gõ ví dụ: hôm nay, hôm qua, 1/10,"
        " 01/10/2026 hoặc 2026-10-01.",
        "31/02": "⚠️ Không hiểu ngày «31/02». Gõ ví dụ: hôm nay, hôm qua, 1/10,"
        " 01/10/2026 hoặc 2026-10-01.",
    }
    for typed, error in cases.items():
        answer = await cuong.send(typed)
        assert answer[-1].text.splitlines()[0] == error, typed
        assert answer[-1].text.splitlines()[1].startswith("📅 Thay đổi có hiệu lực từ ngày nào?")
        assert answer[-1].labels() == ["Hôm nay (30/11/2026)", "✖ Hủy"]
    assert await saved(h) == before
    confirm = await cuong.send("01/11/2026")  # still taken after the refusals
    assert confirm[-1].text.endswith("từ ngày 01/11/2026?")
    cancelled = await cuong.press("Hủy")
    assert cancelled[-1].text.startswith("Đã hủy, không thay đổi gì.")
    assert await saved(h) == before


async def test_a_leader_sees_the_team_and_changes_nobody(h: Harness) -> None:
    w = await build(h)
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE members SET phone = '0912 345 678' WHERE id = ?", (w.ids["an"],))
        unit = await tx.fetchone("SELECT id FROM units WHERE path = ?", (TEAM_A,))
        assert unit is not None
        await tx.execute(
            "INSERT INTO members (unit_id, role, full_name, locale, joined_at)"
            " VALUES (?, 'member', 'Hoàng Thị Nhàn', 'vi', '2026-11-30T09:00:00+07:00')",
            (unit["id"],),
        )
    shown = await w.tu.send("/thanhvien")
    assert shown[-1].text.splitlines()[:4] == [
        "👥 Thôn Nà Lẹng — 3 người đang trong lực lượng:",
        "• Hoàng Thị Nhàn — Tổ viên — ⏳ chưa vào bot",
        "• Lò Văn Tú — Tổ trưởng",
        "• Nguyễn Văn An — Tổ viên — 📞 0912 345 678",
    ]
    assert not any(label.startswith(("Nguyễn", "Hoàng", "Lò")) for label in shown[-1].labels())
    before = await saved(h)
    for data in (f"ppl:m:{w.ids['an']}", "ppl:a:leave", "ppl:today", "ppl:ok:abcd"):
        answer = await press_data(w.tu, data)
        assert answer[-1].text.startswith("Danh sách này đã cũ. Gõ /thanhvien để mở lại.")
    assert await saved(h) == before
    refused = await w.p.an.send("/thanhvien")
    assert refused[-1].text.startswith("⛔ Chỉ tổ trưởng, tổ phó và cán bộ")


async def test_the_menu_and_help_offer_it(h: Harness) -> None:
    w = await build(h)
    menu = await w.p.cuong.send("/menu")
    assert "👥 Thành viên" in menu[-1].labels()
    listed = await w.tu.press("Thành viên", on=(await w.tu.send("/menu"))[-1])
    assert listed[-1].text.startswith("👥 Thôn Nà Lẹng — 2 người")
    english = await w.p.cuong.send("/members")
    assert english[-1].text.startswith("👥 Xem thành viên của đơn vị nào?")


async def test_many_units_come_a_page_at_a_time(h: Harness) -> None:
    w = await build(h)
    async with h.db.transaction() as tx:
        for i in range(1, 13):
            await units.upsert(tx, f"{COMMUNE}/Thôn Số {i:02d}", "village", None, "2026-11-01")
    first = await w.p.cuong.send("/thanhvien")
    assert first[-1].text.splitlines()[-1] == "Trang 1/2"
    assert len(first[-1].labels()) == 10 + 2  # ten units, the next page, cancel
    assert "Trang sau ▶" in first[-1].labels()
    second = await w.p.cuong.press("Trang sau ▶")
    assert second[-1].text.splitlines()[-1] == "Trang 2/2"
    assert "◀ Trang trước" in second[-1].labels() and "Thôn Số 12" in second[-1].labels()
    listed = await w.p.cuong.press("Thôn Số 12")
    assert listed[-1].text.startswith("👥 Thôn Số 12 — 0 người đang trong lực lượng:")


async def test_a_leaders_list_keeps_the_report_draft(h: Harness) -> None:
    w = await build(h)
    await w.tu.send("/baocao")
    await w.tu.press("Tuần tra")
    shown = await w.tu.send("/thanhvien")
    assert shown[-1].text.startswith("👥 Thôn Nà Lẹng")
    state = await one(h, "SELECT state FROM conversations WHERE chat_id = '2'")
    assert '"flow":"report"' in state["state"].replace(" ", "")
