"""Writes tests/data/dialogs-before-typed-state.sqlite3.gz: chats left half-way in every dialog.

The committed file was written by running this script on the code BEFORE dialog state was
typed (commit 44cd1ae, when `ctx.state` was a plain dict saved as JSON with the magic keys
`_choices` / `_free` / `_numeric`, the summary step as `field = "_summary"` and a report
draft parked under `parked`). tests/inproc/test_legacy_states.py opens a copy of it with
today's code and checks that each chat resumes at the same question. Re-running it on newer
code writes today's format instead, so only do that to add a case, and say so in the commit;
it walks the patrol wizard of that time (a date step first), so it only runs on that commit.

Run: `.venv/bin/python -m tests.support.legacy_states`
"""

from __future__ import annotations

import asyncio
import gzip
import sqlite3
import tempfile
from pathlib import Path

from tests.inproc.helpers import file_patrol, patrol_to_summary, start_patrol
from tests.support.harness import COMMUNE, TEAM_A, Harness, make_harness

TARGET = Path(__file__).resolve().parent.parent / "data" / "dialogs-before-typed-state.sqlite3.gz"

# Telegram user ids of the chats, each left in one dialog (the test uses the same ids).
HALF_WAY = 1  # patrol report: date and start answered, asked the end time
MULTI_PENDING = 2  # patrol report: one team-mate picked, "Xong" not pressed yet
SUMMARY = 3  # patrol report: on the summary
EDIT_PARKED = 4  # editing a filed report, a new draft parked, asked the incident count
LEAVE_PARKED = 5  # leave for today, asked the reason, a report draft parked
ANNOUNCE = 6  # announcement typed, asked to confirm (send / edit / cancel)
TALLY_RANGE = 7  # tally: asked to type a date range
JOINING = 8  # a stranger joining by invite, asked the name (display name offered)
OFFER = 9  # report draft, /baocao again: asked resume or restart
INVITE = "LEGACY1"


async def _patrol_start(h: Harness, user_id: int) -> None:
    user = h.user(user_id)
    await start_patrol(user)
    await user.press("Hôm nay")


async def drive(h: Harness) -> None:
    """Leave one chat in each dialog, as a user of today's bot could."""
    await h.add_member(HALF_WAY, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(MULTI_PENDING, "Lý Thị Bình", "member", TEAM_A)
    await h.add_member(SUMMARY, "Hoàng Văn Chí", "member", TEAM_A)
    await h.add_member(EDIT_PARKED, "Trần Văn Dũng", "member", TEAM_A)
    await h.add_member(LEAVE_PARKED, "Vi Thị Em", "leader", TEAM_A)
    await h.add_member(ANNOUNCE, "Nông Văn Giang", "officer", COMMUNE)
    await h.add_member(TALLY_RANGE, "Lục Thị Hà", "officer", COMMUNE)
    await h.add_member(OFFER, "Đinh Văn Khải", "member", TEAM_A)
    await h.add_invite(INVITE, TEAM_A, "member")

    await _patrol_start(h, HALF_WAY)
    await h.user(HALF_WAY).send("19:00")

    await _patrol_start(h, MULTI_PENDING)
    binh = h.user(MULTI_PENDING)
    await binh.send("19:00")
    await binh.send("21:30")
    await binh.send("Đường liên thôn Nà Lẹng")
    await binh.press("Nguyễn Văn An")

    await patrol_to_summary(h.user(SUMMARY))

    dung = h.user(EDIT_PARKED)
    await file_patrol(dung)
    await _patrol_start(h, EDIT_PARKED)  # a second draft, date answered
    await dung.send("/baocaocuatoi")
    await dung.press("BC-2026-000001")
    await dung.press("✏️ Sửa")
    await dung.press("Số vụ việc phát hiện")

    await _patrol_start(h, LEAVE_PARKED)
    em = h.user(LEAVE_PARKED)
    await em.send("/nghiphep")
    await em.press("Hôm nay")

    giang = h.user(ANNOUNCE)
    await giang.send("/thongbao")
    await giang.press("Toàn bộ")
    await giang.send("Tối nay họp tổ lúc 19 giờ.")

    ha = h.user(TALLY_RANGE)
    await ha.send("/thongke")
    await ha.press("Nhập khoảng ngày")

    await h.user(JOINING, "Lý Thị", "Mai").send(f"/start {INVITE}")

    await _patrol_start(h, OFFER)
    await h.user(OFFER).send("/baocao")


async def main() -> None:
    """Drive the application, then keep only a small copy of its database."""
    with tempfile.TemporaryDirectory() as tmp:
        h = await make_harness(Path(tmp))
        try:
            await drive(h)
        finally:
            await h.close()
        db = Path(tmp) / "bot.sqlite3"
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            # A new harness numbers its updates from 1 again: forget the ids handled here.
            conn.execute("DELETE FROM processed_updates")
            conn.commit()
            conn.execute("PRAGMA page_size = 1024")  # small pages: a few KB once compressed
            conn.execute("VACUUM")
        finally:
            conn.close()
        TARGET.parent.mkdir(exist_ok=True)
        TARGET.write_bytes(gzip.compress(db.read_bytes(), mtime=0))
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    asyncio.run(main())
