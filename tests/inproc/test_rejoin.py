"""A serving member with a new invite code: what would change, then moved only on confirm;
cancelling changes nothing and leaves the code unused."""

from __future__ import annotations

from tests.inproc.helpers import one, press_data, rows
from tests.inproc.manage_world import saved
from tests.support.harness import TEAM_A, TEAM_B, Harness

CODE = "TOTRUONG"


async def _uses_left(h: Harness) -> int:
    return int((await one(h, "SELECT uses_left FROM invites WHERE code = ?", (CODE,)))["uses_left"])


async def test_a_new_code_moves_a_member_only_after_confirming(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_invite(CODE, TEAM_B, "leader", uses=2)
    an = h.user(1)
    before = await saved(h)
    asked = await an.send(f"/start {CODE}")
    assert asked[-1].text == (
        "Mã mời này dành cho Tổ trưởng, Thôn Khuôn Pinh (Tỉnh Lạng Sơn › Xã Bắc Sơn › Thôn"
        " Khuôn Pinh). Bạn đang là Tổ viên, Thôn Nà Lẹng. Nếu đồng ý, từ hôm nay (23/11/2026)"
        " bạn chuyển sang Tổ trưởng, Thôn Khuôn Pinh."
    )
    assert asked[-1].labels() == ["✅ Đồng ý chuyển", "✖ Hủy"]
    stray = await an.send("ok")
    assert stray[-1].text.startswith("⚠️ Bấm «Đồng ý chuyển» hoặc «Hủy».\nMã mời này dành cho")
    cancelled = await an.press("Hủy")
    assert cancelled[-1].text.startswith("Đã hủy: bạn vẫn là Tổ viên, Thôn Nà Lẹng.")
    assert await saved(h) == before and await _uses_left(h) == 2

    yes = (await an.send(f"/start {CODE}"))[-1].buttons[0][0]["callback_data"]
    done = await an.press("Đồng ý chuyển")
    assert done[-1].text.startswith(
        "✅ Từ ngày 23/11/2026 bạn thuộc Thôn Khuôn Pinh, vai trò Tổ trưởng."
    )
    assert "📊 Thống kê" in done[-1].labels()  # a leader's menu now
    assert await _uses_left(h) == 1
    entry = await one(h, "SELECT action, actor_id, effective_on, detail FROM audit_trail")
    assert (entry["action"], entry["effective_on"]) == ("invite", "2026-11-23")
    assert CODE in entry["detail"]
    member = await one(h, "SELECT role, unit_id FROM members")
    team_b = await one(h, "SELECT id FROM units WHERE path = ?", (TEAM_B,))
    assert member == {"role": "leader", "unit_id": team_b["id"]}
    # The old button of the question does nothing more.
    again = await press_data(an, yes)
    assert await _uses_left(h) == 1
    assert again[-1].text.startswith("Xin chào Nguyễn Văn An (Tổ trưởng, Thôn Khuôn Pinh)")


async def test_a_code_for_the_same_place_or_a_bad_one_changes_nothing(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_invite(CODE, TEAM_A, "member")
    await h.add_invite("HETLUOT1", TEAM_B, "leader", uses=1)
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE invites SET uses_left = 0 WHERE code = 'HETLUOT1'")
    an = h.user(1)
    before = await saved(h)
    same = await an.send(f"/start {CODE}")
    assert same[0].text == "Bạn đã là thành viên của Thôn Nà Lẹng, không cần dùng mã mời nữa."
    used = await an.send("/start HETLUOT1")
    assert used[0].text.startswith("Mã mời đã được dùng hết lượt.")
    assert await saved(h) == before
    assert await rows(h, "SELECT uses_left FROM invites ORDER BY code") == [
        {"uses_left": 0},
        {"uses_left": 1},
    ]


async def test_a_report_draft_comes_back_after_the_question(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_invite(CODE, TEAM_B, "member")
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Tuần tra")
    await an.send(f"/start {CODE}")
    back = await an.press("Hủy")
    assert back[-1].text.startswith("Đã hủy: bạn vẫn là Tổ viên, Thôn Nà Lẹng.")
    state = await one(h, "SELECT state FROM conversations WHERE chat_id = '1'")
    assert '"flow": "report"' in state["state"] or '"flow":"report"' in state["state"]
