"""Taking a tip up ("Đã tiếp nhận") on /khan: chat's rule, the reporter told in chat's words,
every alert still showing the button edited (the officer's own too), a second press refused."""

from __future__ import annotations

import pytest

from tests.inproc.helpers import file_tip, rows
from tests.inproc.police_world import People, enrol
from tests.inproc.web_pages import csrf_of
from tests.support.harness import Harness
from tests.support.web import browser, sign_in

TAKEN_UP = (  # bot/locales/vi.toml [ack] reporter_notice, as chat sends it
    "🚓 Báo cáo BC-2026-000001 của bạn đã được Hoàng Văn Cường (Cán bộ Công an xã) tiếp nhận"
    " lúc 09:04 23/11/2026."
)


@pytest.fixture
async def people(wh: Harness) -> People:
    return await enrol(wh)


async def test_an_officer_takes_a_tip_up_on_the_page(wh: Harness, people: People) -> None:
    await file_tip(people.an)
    await wh.drain()
    people.an.new_messages()
    wh.clock.advance(minutes=4)
    async with browser(wh) as b:
        await sign_in(b, people.cuong)
        page = await (await b.get("/khan")).text()
        assert "Chưa ai tiếp nhận" in page and "/khan/1/tiep-nhan" in page
        done = await b.post(
            "/khan/1/tiep-nhan", data={"csrf": csrf_of(page)}, allow_redirects=False
        )
        assert done.status == 303
        shown = await (await b.get(done.headers["Location"])).text()
        assert "✅ Đã ghi: BC-2026-000001 → Đã tiếp nhận. Người báo đã được thông báo." in shown
        assert 'name="buoc"' in shown  # the next steps are offered at once
        again = await b.post("/khan/1/tiep-nhan", data={"csrf": csrf_of(shown)})
        assert again.status == 409
        assert "đã được Hoàng Văn Cường tiếp nhận" in await again.text()
    await wh.drain()
    notices = [m.text for m in people.an.new_messages()]
    assert notices == [TAKEN_UP]
    assert await rows(wh, "SELECT state, ack_by FROM reports") == [
        {"state": "acknowledged", "ack_by": people.ids["cuong"]}
    ]
    # every officer's alert, Cường's own included (he pressed nothing in chat), loses its button
    edited = await rows(
        wh, "SELECT member_id FROM outbox WHERE dedupe_key LIKE 'ack-close:1:%' ORDER BY member_id"
    )
    assert {"member_id": people.ids["cuong"]} in edited


async def test_taking_up_is_refused_without_the_form_token_or_out_of_scope(
    wh: Harness, people: People
) -> None:
    await file_tip(people.an)
    await wh.drain()
    async with browser(wh) as mine, browser(wh) as theirs:
        await sign_in(mine, people.cuong)
        forged = await mine.post("/khan/1/tiep-nhan", data={"csrf": "x" * 43})
        assert forged.status == 403
        await sign_in(theirs, people.hai)  # another commune's officer
        page = await (await theirs.get("/khan")).text()
        refused = await theirs.post("/khan/1/tiep-nhan", data={"csrf": csrf_of(page)})
        assert refused.status == 404
        assert "Không tìm thấy" in await refused.text()
        missing = await theirs.post("/khan/99/tiep-nhan", data={"csrf": csrf_of(page)})
        assert missing.status == 404
    assert await rows(wh, "SELECT state, ack_by FROM reports") == [
        {"state": "received", "ack_by": None}
    ]
