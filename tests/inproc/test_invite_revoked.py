"""A revoked invite code joins no one: refused at /start and at the confirmation."""

from __future__ import annotations

from bot.core.clock import iso
from tests.inproc.helpers import one
from tests.support.harness import TEAM_A, Harness

CODE = "REVK2345"
REFUSAL = "Mã mời này đã bị thu hồi. Hãy xin mã mới từ cán bộ Công an xã hoặc tổ trưởng."


async def _revoke(h: Harness) -> None:
    async with h.db.transaction() as tx:
        await tx.execute(
            "UPDATE invites SET revoked_at = ? WHERE code = ?", (iso(h.clock.now()), CODE)
        )


async def test_a_revoked_code_is_refused_at_start(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", uses=3)
    await _revoke(h)
    user = h.user(50, "Lê", "Thị Hoa")
    replies = await user.send(f"/start {CODE}")
    assert [m.text for m in replies] == [REFUSAL]
    assert await h.count("SELECT COUNT(*) FROM members") == 0
    row = await one(h, "SELECT uses_left FROM invites WHERE code = ?", (CODE,))
    assert row["uses_left"] == 3


async def test_a_code_revoked_during_the_dialog_is_refused_at_the_confirmation(
    h: Harness,
) -> None:
    await h.add_invite(CODE, TEAM_A, "member", uses=3)
    user = h.user(50, "Lê", "Thị Hoa")
    await user.send(f"/start {CODE}")
    await user.press("Dùng tên")
    await _revoke(h)
    replies = await user.press("Đúng, tham gia")
    assert replies[-1].text == REFUSAL
    assert await h.count("SELECT COUNT(*) FROM members") == 0
    assert await h.count("SELECT COUNT(*) FROM identities") == 0
