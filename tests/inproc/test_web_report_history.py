"""A report's history on its page reads in the form's words: the line of its sending carries
no stored values (field keys, true/false, a photo's Telegram file id), an edit says which
answers changed, old → new, and a fire's last step says whether the force came in time."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.clock import ManualClock
from tests.inproc.police_world import alert_of, enrol
from tests.inproc.test_web_reports import file_fire_with_photos
from tests.inproc.web_pages import csrf_of
from tests.support.harness import START, make_harness
from tests.support.web import browser, sign_in, web_config


def history_of(page: str) -> list[str]:
    """The history's lines as text (tags dropped, one space between parts)."""
    block = page.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


async def test_the_history_shows_changes_in_the_forms_words_never_the_stored_values(
    tmp_path: Path,
) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        await file_fire_with_photos(p.an, ["PH-SECRET-ID"])
        await h.drain()
        h.clock.advance(minutes=5)
        await p.cuong.press("✅ Đã tiếp nhận", on=alert_of(p.cuong))
        h.clock.advance(minutes=5)
        await p.an.send("/baocaocuatoi")
        await p.an.press("BC-2026-000001")
        await p.an.press("✏️ Sửa")
        await p.an.press("Số người được giúp")
        await p.an.send("5")
        saved = await p.an.press("💾 Lưu thay đổi")
        assert saved[-1].text.startswith("✅ Đã lưu thay đổi của báo cáo BC-2026-000001.")
        await h.drain()
        async with browser(h) as b:
            await sign_in(b, p.cuong)
            page = await (await b.get("/khan")).text()
            csrf = csrf_of(page)
            data = {"csrf": csrf, "tu": "acknowledged", "buoc": "done", "kip_thoi": "co"}
            assert (await b.post("/khan/1", data=data)).status == 200
            page = await (await b.get("/bao-cao/1")).text()
        assert history_of(page) == [
            "09:00 23/11/2026 — Gửi báo cáo (Nguyễn Văn An)",
            "09:00 23/11/2026 — Mới nhận, chưa tiếp nhận (Nguyễn Văn An)",
            "09:05 23/11/2026 — Đã tiếp nhận (Hoàng Văn Cường)",
            "09:10 23/11/2026 — Sửa báo cáo (Nguyễn Văn An) Số người được giúp: 3 → 5",
            "09:10 23/11/2026 — Đã tiếp nhận (Nguyễn Văn An) Sửa: Số người được giúp",
            "09:10 23/11/2026 — Đã xử lý xong (Hoàng Văn Cường) Lực lượng có mặt kịp thời: Có",
        ]
        for stored in ("PH-SECRET-ID", "people_helped", "in_time", "True", "'lat'"):
            assert stored not in page, stored
        assert "<dt>Số người được giúp</dt><dd>5</dd>" in page  # the answers stay above
    finally:
        await h.close()
