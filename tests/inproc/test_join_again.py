"""Joining is kept in the audit trail, and someone who left and joins again with a new code
gets their own record back (name, history, reports) instead of a second one."""

from __future__ import annotations

from datetime import date

from bot.people import membership
from bot.people.membership import Actor
from storage import members
from tests.inproc.helpers import one, rows
from tests.support.harness import TEAM_A, TEAM_B, Harness

CODE = "VAOLAI22"


async def test_a_join_starts_the_members_history(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", uses=3)
    hoa = h.user(50)
    await hoa.send(f"/start {CODE}")
    await hoa.send("Lê Thị Hoa")
    await hoa.press("Đúng, tham gia")
    entry = await one(h, "SELECT action, actor, effective_on, detail FROM audit_trail")
    assert (entry["action"], entry["actor"], entry["effective_on"]) == (
        "join",
        "Lê Thị Hoa",
        "2026-11-23",
    )
    assert CODE in entry["detail"] and TEAM_A in entry["detail"]


async def test_someone_who_left_comes_back_as_themselves(h: Harness) -> None:
    an_id = await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    async with h.db.transaction() as tx:
        an = await members.get(tx, an_id)
        assert an is not None
        await membership.leave(
            tx,
            Actor.command_line(),
            an,
            date(2026, 11, 24),
            date(2026, 11, 24),
            "2026-11-24T08:00:00+07:00",
        )
    h.clock.advance(days=2)  # back on 25/11
    await h.add_invite(CODE, TEAM_B, "member")
    an_chat = h.user(1)
    asked = await an_chat.send(f"/start {CODE}")
    assert "👤 Họ tên: Nguyễn Văn An" in asked[-1].text  # no name question: it is known
    assert "🏘 Đơn vị: Thôn Khuôn Pinh" in asked[-1].text
    welcome = await an_chat.press("Đúng, tham gia")
    assert welcome[-1].text.startswith("🎉 Chào mừng Nguyễn Văn An")
    assert await h.count("SELECT COUNT(*) FROM members") == 1
    assert await rows(
        h, "SELECT start_date, end_date FROM memberships WHERE member_id = ? ORDER BY id", (an_id,)
    ) == [
        {"start_date": "2026-11-23", "end_date": "2026-11-23"},
        {"start_date": "2026-11-25", "end_date": None},
    ]
    trail = await rows(h, "SELECT action FROM audit_trail ORDER BY id")
    assert trail == [{"action": "leave"}, {"action": "return"}]
    member = await one(h, "SELECT active, unit_id FROM members")
    assert member["active"] == 1
