"""/khan: the open urgent reports of an officer's area by state and age, and moving one on
from the page with chat's rules, the reporter told as in chat, stale and forged forms
refused with nothing stored."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from bot.web import links
from tests.inproc.helpers import file_fire, file_tip, rows
from tests.inproc.police_world import People, alert_of, enrol
from tests.inproc.web_pages import csrf_of
from tests.support.harness import Harness
from tests.support.web import browser, path_of, sign_in

# Texts from bot/locales/vi.toml (chat) and the pages, copied so a changed wording shows.
ACK = "✅ Đã tiếp nhận"
RESOLVED_NOTICE = (
    "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đã giải quyết"
    " (ghi chú: Đã giải tán nhóm đánh bạc, lập biên bản)."
)
TOO_LATE = (
    "Báo cáo BC-2026-000001 đã được Hoàng Văn Cường chuyển sang “Đang xác minh”"
    " lúc 10:05 23/11/2026. Bước của bạn chưa được lưu."
)


@pytest.fixture
async def people(wh: Harness) -> People:
    return await enrol(wh)


async def acknowledged_tip(h: Harness, people: People) -> None:
    """An files a tip at 09:00; Cường takes it up in chat at 09:05."""
    await file_tip(people.an)
    await h.drain()
    h.clock.advance(minutes=5)
    await people.cuong.press(ACK, on=alert_of(people.cuong))
    await h.drain()
    people.an.new_messages()


async def events(h: Harness) -> list[dict[str, object]]:
    return await rows(h, "SELECT state, member_id, note FROM report_events ORDER BY id")


async def officer_page(client: TestClient) -> tuple[str, str]:
    page = await client.get("/khan")
    assert page.status == 200
    text = await page.text()
    return text, csrf_of(text)


async def test_an_officer_resolves_a_tip_on_the_page_and_the_reporter_is_told_as_in_chat(
    wh: Harness, people: People
) -> None:
    await acknowledged_tip(wh, people)
    wh.clock.advance(hours=3, minutes=15)  # filed 3 h 20 min ago
    services = wh.runtime.services
    wakeups: list[int] = []
    wake = services.outbox_wakeup
    services.outbox_wakeup = lambda: (wakeups.append(1), wake())[-1]
    async with browser(wh) as b:
        await sign_in(b, people.cuong)
        text, csrf = await officer_page(b)
        assert "BC-2026-000001" in text and "Tin báo ANTT" in text
        assert "đã 3 giờ 20 phút" in text
        assert "Ngã ba chợ" in text and "Đã tiếp nhận (1)" in text
        assert "✅ Đã giải quyết" in text and 'name="ghi_chu"' in text
        done = await b.post(
            "/khan/1",
            data={
                "csrf": csrf,
                "tu": "acknowledged",
                "buoc": "resolved",
                "ghi_chu": "Đã giải tán nhóm đánh bạc,  lập biên bản",
            },
            allow_redirects=False,
        )
        assert done.status == 303
        shown = await b.get(done.headers["Location"])
        assert "✅ Đã ghi: BC-2026-000001 → Đã giải quyết. Người báo đã được thông báo." in (
            await shown.text()
        )
    assert wakeups == [1]  # the sender is woken, not left to its next poll
    await wh.drain()
    assert [m.text for m in people.an.new_messages()] == [RESOLVED_NOTICE]
    assert (await events(wh))[-1] == {
        "state": "resolved",
        "member_id": people.ids["cuong"],
        "note": "Đã giải tán nhóm đánh bạc, lập biên bản",
    }
    assert await rows(wh, "SELECT state FROM reports") == [{"state": "resolved"}]


async def test_a_stale_form_changes_nothing_and_says_who_moved_the_report(
    wh: Harness, people: People
) -> None:
    await acknowledged_tip(wh, people)
    async with browser(wh) as b:
        await sign_in(b, people.cuong)
        _, csrf = await officer_page(b)  # the page as it stood: "Đã tiếp nhận"
        wh.clock.advance(hours=1)
        await people.cuong.press("Đang xác minh")  # meanwhile, in chat
        await people.cuong.press("Bỏ qua")
        await wh.drain()
        people.an.new_messages()
        before = await events(wh)
        stale = await b.post(
            "/khan/1",
            data={"csrf": csrf, "tu": "acknowledged", "buoc": "resolved", "ghi_chu": "Xong"},
        )
        assert stale.status == 409
        text = await stale.text()
        assert TOO_LATE in text
        assert ">Xong</textarea>" in text  # the note given back, not lost
    assert await events(wh) == before
    await wh.drain()
    assert people.an.new_messages() == []


async def test_forged_and_bad_forms_change_nothing_and_say_why(wh: Harness, people: People) -> None:
    await acknowledged_tip(wh, people)
    before = await events(wh)
    async with browser(wh) as b:
        await sign_in(b, people.cuong)
        _, csrf = await officer_page(b)
        base = {"csrf": csrf, "tu": "acknowledged"}
        forged = await b.post("/khan/1", data={**base, "buoc": "done"})  # a fire's step
        assert forged.status == 400
        assert "Bước này không có cho báo cáo BC-2026-000001. Chưa lưu gì." in await forged.text()
        long_note = "x" * 301
        too_long = await b.post("/khan/1", data={**base, "buoc": "resolved", "ghi_chu": long_note})
        assert too_long.status == 400
        text = await too_long.text()
        assert "⚠️ Ghi chú dài 301 ký tự, tối đa 300. Chưa lưu gì." in text
        assert long_note in text
        no_token = await b.post("/khan/1", data={"tu": "acknowledged", "buoc": "resolved"})
        assert no_token.status == 403
        other_site = await b.post(
            "/khan/1",
            data={**base, "buoc": "resolved"},
            headers={"Origin": "https://evil.example"},
        )
        assert other_site.status == 403
        unknown = await b.post("/khan/99", data={**base, "buoc": "resolved"})
        assert unknown.status == 404
    assert await events(wh) == before
    await wh.drain()
    assert people.an.new_messages() == []


async def test_a_fire_needs_the_word_on_arriving_in_time(wh: Harness, people: People) -> None:
    await file_fire(people.an)
    await wh.drain()
    await people.cuong.press(ACK, on=alert_of(people.cuong))
    await wh.drain()
    people.an.new_messages()
    async with browser(wh) as b:
        await sign_in(b, people.cuong)
        text, csrf = await officer_page(b)
        assert "Lực lượng có mặt kịp thời không?" in text
        base = {"csrf": csrf, "tu": "acknowledged", "buoc": "done"}
        missing = await b.post("/khan/1", data=base)
        assert missing.status == 400
        assert "Hãy chọn lực lượng có mặt kịp thời không (Có hoặc Không)." in await missing.text()
        assert await rows(wh, "SELECT state, in_time_confirmed FROM reports") == [
            {"state": "acknowledged", "in_time_confirmed": None}
        ]
        done = await b.post("/khan/1", data={**base, "kip_thoi": "co"})
        assert done.status == 200 and "✅ Đã ghi: BC-2026-000001 → Đã xử lý xong." in (
            await done.text()
        )
    assert await rows(wh, "SELECT state, in_time_confirmed FROM reports") == [
        {"state": "done", "in_time_confirmed": 1}
    ]
    await wh.drain()
    assert [m.text for m in people.an.new_messages()] == [
        "🚓 Báo cáo BC-2026-000001 của bạn: Công an xã đã xử lý xong."
    ]


async def test_open_reports_by_state_with_overdue_marks_and_a_read_only_supervisor(
    wh: Harness, people: People
) -> None:
    await file_tip(people.an)
    await wh.drain()
    wh.clock.advance(days=1, minutes=1)  # "received" is overdue after a day
    async with browser(wh) as b, browser(wh) as sup:
        await sign_in(b, people.cuong)
        text, _ = await officer_page(b)
        assert "Mới nhận, chưa tiếp nhận (1)" in text
        assert "⏰ Quá hạn xử lý" in text and "đã 1 ngày" in text
        assert "Chưa ai tiếp nhận. Tiếp nhận ở đây" in text and "/khan/1/tiep-nhan" in text
        narrowed = await (await b.get("/khan?trang-thai=verifying")).text()
        assert "BC-2026-000001" not in narrowed
        assert "Không có tin báo khẩn nào đang mở ở trạng thái này." in narrowed
        await sign_in(sup, people.lan)
        seen = await (await sup.get("/khan")).text()
        assert "BC-2026-000001" in seen and 'name="buoc"' not in seen
        csrf = csrf_of(seen)
        refused = await sup.post("/khan/1", data={"csrf": csrf, "tu": "received", "buoc": "x"})
        assert refused.status == 403


async def test_another_communes_officer_and_a_members_file_session_are_refused(
    wh: Harness, people: People
) -> None:
    await acknowledged_tip(wh, people)
    before = await events(wh)
    async with wh.db.transaction() as tx:
        made = await links.file(tx, wh.config, people.ids["an"], wh.clock.now(), "a.csv", b"x")
    async with browser(wh) as other, browser(wh) as member:
        await sign_in(other, people.hai)
        listed = await (await other.get("/khan")).text()
        assert "BC-2026-000001" not in listed
        moved = await other.post(
            "/khan/1", data={"csrf": csrf_of(listed), "tu": "acknowledged", "buoc": "resolved"}
        )
        assert moved.status == 403
        assert (await member.post(path_of(made.url))).status == 200  # a 'files' session
        for path in ("/khan", "/bao-cao", "/bao-cao/1", "/bao-cao/1/anh/1", "/ban-do"):
            assert (await member.get(path)).status == 403, path
    assert await events(wh) == before
