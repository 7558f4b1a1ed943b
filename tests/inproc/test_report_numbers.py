"""A year's millionth report: numbered BC-2026-1000000 and found again by that number in
/baocaocuatoi, /lichsu and the officer's "same incident" dialog."""

from __future__ import annotations

from tests.inproc.helpers import file_fire, file_patrol, file_tip, one, press_data
from tests.inproc.police_world import enrol_teams
from tests.support.harness import Harness

YES = "Đúng, cùng vụ việc"


async def test_numbers_keep_their_shape_past_999999(h: Harness) -> None:
    people = await enrol_teams(h)
    async with h.db.transaction() as tx:  # 999,998 reports filed this year already
        await tx.execute("INSERT INTO counters (name, value) VALUES ('report:2026', 999998)")
    assert "BC-2026-999999" in await file_patrol(people.an)
    h.clock.advance(minutes=10)
    await file_fire(people.an)
    h.clock.advance(minutes=10)
    await file_tip(people.binh)
    fire = await one(h, "SELECT id, number FROM reports WHERE kind = 'fire_rescue'")
    tip = await one(h, "SELECT id, number FROM reports WHERE kind = 'tip'")
    assert (fire["number"], tip["number"]) == ("BC-2026-1000000", "BC-2026-1000001")

    listing = (await people.an.send("/baocaocuatoi"))[-1]
    assert [label.split(" · ")[0] for label in listing.labels()[:2]] == [
        "BC-2026-1000000",
        "BC-2026-999999",
    ]
    opened = (await people.an.press(listing.labels()[0]))[-1]
    assert opened.text.startswith("BC-2026-1000000 · ")

    for typed in ("BC-2026-1000000", "bc-2026-1000000", "BC-2026-01000000"):
        text = (await people.an.send(f"/lichsu {typed}"))[-1].text
        assert text.startswith("🗂 Lịch sử báo cáo BC-2026-1000000 (Thôn Nà Lẹng):"), text
    text = (await people.an.send("/lichsu bc-2026-999999"))[-1].text
    assert text.startswith("🗂 Lịch sử báo cáo BC-2026-999999 (Thôn Nà Lẹng):"), text

    await people.cuong.send("/menu")
    await press_data(people.cuong, f"dup:{tip['id']}")
    replies = await people.cuong.send("1000000")  # this year's, typed short
    assert replies[-1].text.startswith("Ghi nhận hai tin báo là cùng một vụ việc?\n")
    assert "• BC-2026-1000000 · " in replies[-1].text
    h.clock.advance(minutes=1)
    await people.cuong.press(YES)
    marked = await one(h, "SELECT duplicate_of FROM reports WHERE id = ?", (tip["id"],))
    assert marked == {"duplicate_of": fire["id"]}
