"""/quanly on Telegram: a team's register kept by its leader and the commune police, names
only for them, every bad answer said and nothing saved; and the reintegration report picking
the person from the register."""

from __future__ import annotations

from typing import Any

from tests.inproc.helpers import rows
from tests.inproc.manage_world import World, build
from tests.support.harness import TEAM_A, TEAM_B, Harness, TgUser


async def register(h: Harness) -> dict[str, Any]:
    """What a refused answer must leave as it was."""
    return {
        "people": await rows(h, "SELECT * FROM supervised ORDER BY id"),
        "reoffences": await rows(h, "SELECT * FROM supervised_reoffences ORDER BY id"),
        "audit": await rows(h, "SELECT * FROM audit_trail WHERE subject = 'supervised'"),
    }


async def add(user: TgUser, code: str, name: str | None, since: str) -> str:
    """Add someone through the dialog (the list already open); the reply's first line."""
    await user.press("Thêm người")
    await user.send(code)
    await (user.send(name) if name else user.press("Bỏ qua"))
    done = await user.send(since)
    return done[-1].text.splitlines()[0]


async def with_nva(h: Harness) -> World:
    """The manage world, with NVA (Nguyễn Văn A) on Thôn Nà Lẹng's register since 01/10."""
    w = await build(h)
    await w.tu.send("/quanly")
    assert await add(w.tu, "nva", "Nguyễn Văn A", "1/10") == (
        "✅ Đã thêm NVA vào danh sách quản lý từ ngày 01/10/2026."
    )
    return w


async def test_a_leader_keeps_the_register_and_every_change_is_audited(h: Harness) -> None:
    w = await build(h)
    listed = await w.tu.send("/quanly")
    assert listed[-1].text.splitlines()[:2] == [
        "🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng: 0 người.",
        "Chưa có ai trong danh sách.",
    ]
    assert listed[-1].labels() == ["➕ Thêm người", "✖ Hủy"]
    asked = await w.tu.press("Thêm người")
    assert asked[-1].text.startswith("✍️ Gõ mã hoặc chữ cái đầu tên")
    named = await w.tu.send("nva")
    assert named[-1].text.startswith("Họ tên đầy đủ của NVA?")
    since = await w.tu.send("Nguyễn Văn A")
    assert since[-1].text.startswith("📅 Người này được quản lý tại địa bàn từ ngày nào?")
    done = await w.tu.send("1/10")
    assert done[-1].text.splitlines() == [
        "✅ Đã thêm NVA vào danh sách quản lý từ ngày 01/10/2026.",
        "🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng: 1 người.",
        "• NVA — Nguyễn Văn A — ⚠️ quá hạn thăm từ 31/10/2026 (30 ngày) — chưa có lần thăm nào",
        "Bấm mã một người để ghi nhận tái phạm hoặc kết thúc quản lý; «Thêm người» để thêm"
        " vào danh sách.",
    ]
    person = await w.tu.press("NVA")
    assert person[-1].labels() == [
        "❗ Ghi nhận tái phạm",
        "🏁 Kết thúc quản lý",
        "↩️ Quay lại danh sách",
        "✖ Hủy",
    ]
    await w.tu.press("Ghi nhận tái phạm")
    recorded = await w.tu.send("hôm qua")
    assert recorded[-1].text.splitlines()[0] == "✅ Đã ghi nhận NVA tái phạm ngày 29/11/2026."
    assert "❗ tái phạm: 1 lần" in recorded[-1].text
    person = await w.tu.press("NVA")
    assert "↩️ Rút lại tái phạm ngày 29/11/2026 (ghi nhầm)" in person[-1].labels()
    withdrawn = await w.tu.press("Rút lại tái phạm")
    assert withdrawn[-1].text.splitlines()[0] == "✅ Đã rút lại lần tái phạm ghi nhầm của NVA."
    assert "tái phạm:" not in withdrawn[-1].text
    await w.tu.press("NVA")
    await w.tu.press("Kết thúc quản lý")
    ended = await w.tu.press("Hôm nay")
    assert ended[-1].text.splitlines()[:2] == [
        "✅ Đã kết thúc quản lý NVA từ ngày 30/11/2026.",
        "🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng: 0 người.",
    ]
    trail = await rows(
        h, "SELECT action, effective_on, actor_id, detail FROM audit_trail"
        " WHERE subject = 'supervised' ORDER BY id"
    )  # fmt: skip
    assert [(r["action"], r["effective_on"]) for r in trail] == [
        ("add", "2026-10-01"),
        ("reoffence", "2026-11-29"),
        ("reoffence_withdrawn", "2026-11-29"),
        ("end", "2026-11-30"),
    ]
    assert {r["actor_id"] for r in trail} == {w.ids["tu"]}
    assert all("Nguyễn" not in r["detail"] for r in trail)


async def test_every_bad_answer_is_said_and_nothing_saved(h: Harness) -> None:
    w = await with_nva(h)
    tu = w.tu
    before = await register(h)
    await tu.press("Thêm người")
    for typed, said in [
        ("12345", "⚠️ Mã chỉ gồm chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự"),
        ("a" * 21, "⚠️ Mã chỉ gồm chữ, số"),
        ("NVA", "⚠️ Mã NVA đã có trong danh sách của tổ."),
        ("n/v/a", "⚠️ Mã chỉ gồm chữ, số"),
    ]:
        reply = await tu.send(typed)
        assert reply[-1].text.startswith(said), typed
        assert reply[-1].text.splitlines()[-1].startswith("✍️ Gõ mã")  # asked again
    await tu.send("TB")
    too_long = await tu.send("x" * 81)
    assert too_long[-1].text.startswith("⚠️ Họ tên dài quá 80 ký tự.")
    await tu.press("Bỏ qua")
    for typed, said in [
        ("ngày kia", "⚠️ Không hiểu ngày «ngày kia»."),
        ("5/12/2026", "⚠️ Ngày này chưa tới."),
    ]:
        reply = await tu.send(typed)
        assert reply[-1].text.startswith(said), typed
        assert "📅 Người này được quản lý" in reply[-1].text
    assert await register(h) == before
    back = await tu.press("Quay lại danh sách")
    assert back[-1].text.startswith("🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng: 1 người.")
    await tu.press("NVA")
    await tu.press("Kết thúc quản lý")
    early = await tu.send("30/9")
    assert early[-1].text.startswith("⚠️ Ngày này trước ngày bắt đầu quản lý (01/10/2026).")
    await tu.press("Quay lại danh sách")
    await tu.press("NVA")
    await tu.press("Ghi nhận tái phạm")
    outside = await tu.send("1/9")
    assert outside[-1].text.startswith("⚠️ Ngày này không nằm trong thời gian")
    pressed = await tu.send("hello")
    assert pressed[-1].text.startswith("⚠️ Không hiểu ngày «hello».")
    assert await register(h) == before


async def test_names_only_for_the_teams_leader_and_its_commune_police(h: Harness) -> None:
    w = await with_nva(h)
    name_line = "• NVA — Nguyễn Văn A — "
    # The commune's officer picks the team and sees the name.
    await w.p.cuong.send("/quanly")
    officer = await w.p.cuong.press("Nà Lẹng")
    assert name_line in officer[-1].text
    # A supervisor over it: codes and figures, no name, no buttons to change it.
    supervisor = await w.p.lan.send("/quanly Nà Lẹng")
    assert "• NVA — ⚠️ quá hạn thăm" in supervisor[-1].text
    assert "Nguyễn Văn A" not in supervisor[-1].text
    assert supervisor[-1].labels() == ["✖ Hủy"]
    # The officer of another commune: not his area.
    other = await w.p.hai.send("/quanly Nà Lẹng")
    assert other[-1].text.startswith("⚠️ «Nà Lẹng» không thuộc địa bàn bạn quản lý.")
    assert "Nguyễn Văn A" not in other[-1].text
    # A forged button of that team, in his own dialog: refused, nothing shown.
    await w.p.hai.send("/quanly")
    forged = await w.p.hai.press_data(w.p.hai.last_with_buttons(), f"sup:t:{w.unit_ids[TEAM_A]}")
    assert forged[-1].text.startswith("⚠️ ⛔ Tổ này không thuộc địa bàn bạn phụ trách.")
    # A member: refused.
    member = await w.p.an.send("/quanly")
    assert member[-1].text.startswith("⛔ Chỉ tổ trưởng, tổ phó và cán bộ Công an xã")
    # The leader of another team sees their own team's register only.
    await h.add_member(5, "Lý Thị Hoa", "leader", TEAM_B)
    hoa = await h.user(5).send("/quanly Nà Lẹng")
    assert hoa[-1].text.startswith("🤝 Người được quản lý, giáo dục tại Thôn Khuôn Pinh: 0 người.")
    assert "NVA" not in hoa[-1].text
    # Nobody's reply ever held the name but the leader's and the officer's.
    for user in (w.p.an, w.p.lan, w.p.hai, h.user(5)):
        assert all("Nguyễn Văn A" not in m.text for m in user.messages)


async def test_the_reintegration_report_picks_from_the_register(h: Harness) -> None:
    w = await with_nva(h)
    await w.tu.press("Thêm người")
    await w.tu.send("TB")
    await w.tu.press("Bỏ qua")
    await w.tu.send("1/11")
    an = w.p.an
    await an.send("/baocao")
    asked = await an.press("Cảm hóa")
    assert asked[-1].labels()[:2] == ["NVA", "TB"]
    assert "Nguyễn Văn A" not in asked[-1].text  # a member sees codes only
    await an.press("NVA")
    for label in ("Gặp trực tiếp", "Tiến bộ rõ", "Có"):
        await an.press(label)
    await an.press("Gửi báo cáo")
    saved = await rows(h, "SELECT json_extract(data, '$.person') AS person FROM reports")
    assert saved == [{"person": "NVA"}]
    # The visit is the last one now; the "signs" answered yes is not a reoffence.
    listed = await w.tu.send("/quanly")
    assert "• NVA — Nguyễn Văn A — đến hạn thăm 30/12/2026 — thăm lần cuối 30/11/2026" in (
        listed[-1].text
    )
    assert await h.count("SELECT COUNT(*) FROM supervised_reoffences") == 0
    await h.drain()  # the leader is warned of the signs, nothing more
    assert [m.text for m in w.tu.messages if m.text.startswith("⚠️ Báo cáo")] == [
        "⚠️ Báo cáo BC-2026-000001 của Nguyễn Văn An (Thôn Nà Lẹng): người có mã «NVA» có biểu"
        " hiện tái phạm. Đây là cảnh báo, chưa phải tái phạm; khi đã xác định tái phạm, gõ"
        " /quanly để ghi nhận."
    ]


async def test_a_typed_code_is_matched_and_an_unknown_one_kept_and_told(h: Harness) -> None:
    w = await with_nva(h)
    an = w.p.an
    await an.send("/baocao")
    await an.press("Cảm hóa")
    await an.send("n v a")  # typed, spaced: not NVA (the code has no spaces)
    for label in ("Gặp trực tiếp", "Tiến bộ rõ", "Không"):
        await an.press(label)
    await an.press("Gửi báo cáo")
    await an.send("/baocao")
    await an.press("Cảm hóa")
    await an.send("nva")
    for label in ("Gặp trực tiếp", "Tiến bộ rõ", "Không"):
        await an.press(label)
    await an.press("Gửi báo cáo")
    saved = await rows(
        h, "SELECT json_extract(data, '$.person') AS person FROM reports ORDER BY id"
    )
    assert saved == [{"person": "N V A"}, {"person": "NVA"}]  # kept as typed, never dropped
    await h.drain()
    told = [m.text for m in w.tu.messages if m.text.startswith("ℹ️ Báo cáo")]
    assert told == [
        "ℹ️ Báo cáo BC-2026-000001 của Nguyễn Văn An (Thôn Nà Lẹng) ghi lần thăm người có mã"
        " «N V A», mã này chưa có trong danh sách quản lý của tổ. Gõ /quanly để thêm người này"
        " (nếu đúng), hoặc nhắc tổ viên dùng đúng mã."
    ]
