"""/lichsu: a report's changes and a member's stretches, each only for who may see them."""

from __future__ import annotations

from bot.core.clock import iso
from bot.people import membership
from bot.people.membership import Actor
from storage import members, units
from tests.inproc.helpers import file_patrol
from tests.support.harness import COMMUNE, OTHER_COMMUNE, TEAM_A, TEAM_B, Harness

NUMBER = "BC-2026-000001"


async def _world(h: Harness) -> dict[str, int]:
    return {
        "an": await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A),
        "binh": await h.add_member(2, "Hoàng Thị Bình", "leader", TEAM_A),
        "cuong": await h.add_member(3, "Lý Văn Cường", "member", TEAM_B),
        "dung": await h.add_member(4, "Trần Văn Dũng", "officer", COMMUNE),
        "em": await h.add_member(5, "Phạm Thị Em", "officer", OTHER_COMMUNE),
    }


async def test_a_report_history_for_those_who_may_see_it(h: Harness) -> None:
    await _world(h)
    await file_patrol(h.user(1))
    for user_id in (1, 2, 4):  # the reporter, their leader, the commune's officer
        replies = await h.user(user_id).send(f"/lichsu {NUMBER.lower()}")
        text = replies[-1].text
        assert text.startswith(f"🗂 Lịch sử báo cáo {NUMBER} (Thôn Nà Lẹng):"), text
        assert "— Gửi báo cáo (Nguyễn Văn An)" in text
    for user_id in (3, 5):  # another team's member, another commune's officer
        replies = await h.user(user_id).send(f"/lichsu {NUMBER}")
        assert replies[-1].text.startswith(f"⚠️ Không tìm thấy báo cáo {NUMBER} trong phạm vi")


async def test_a_member_history_with_scope(h: Harness) -> None:
    ids = await _world(h)
    h.clock.advance(days=1)  # a move on the first day would replace the stretch
    now = h.clock.now()
    async with h.db.transaction() as tx:
        an = await members.get(tx, ids["an"])
        team_b = await units.get_by_path(tx, TEAM_B)
        assert an is not None and team_b is not None
        await membership.move(
            tx, Actor.command_line(), an, team_b, now.date(), now.date(), iso(now)
        )
    replies = await h.user(4).send("/lichsu nguyen van an")
    text = replies[-1].text
    assert text.startswith("🗂 Lịch sử của Nguyễn Văn An:")
    assert "• Thôn Nà Lẹng, Tổ viên:" in text and "• Thôn Khuôn Pinh, Tổ viên:" in text
    assert "– nay" in text and "— Chuyển đơn vị (command line (" in text
    own = await h.user(1).send("/lichsu")
    assert own[-1].text.startswith("🗂 Lịch sử của Nguyễn Văn An:")
    for user_id in (3, 5):  # a team-mate now, yet a member; another commune's officer
        replies = await h.user(user_id).send("/lichsu Nguyễn Văn An")
        assert replies[-1].text.startswith("⚠️ Không thấy ai tên «Nguyễn Văn An»")
