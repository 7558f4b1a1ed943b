"""/tai-ve: files made on the page are the chat's files, behind the viewer's own links."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.core.clock import ManualClock
from bot.core.config import Phase
from tests.inproc.helpers import file_patrol, file_tip
from tests.inproc.police_world import enrol
from tests.inproc.test_web_tally import unit_id
from tests.inproc.web_pages import csrf_of, table, text_of
from tests.support.harness import COMMUNE, PROVINCE, START, TEAM_A, Harness, make_harness
from tests.support.web import PUBLIC_URL, browser, sign_in, web_config

ORIGIN = {"Origin": PUBLIC_URL}
WITHHELD = "(chi tiết chỉ dành cho Công an xã trở lên)"


async def file_links(h: Harness) -> int:
    return await h.count("SELECT COUNT(*) FROM web_links WHERE purpose IN ('file', 'photo')")


def sheet_values(data: bytes, name: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


async def test_the_workbook_made_on_the_page_holds_the_chat_workbook_totals(wh: Harness) -> None:
    p = await enrol(wh)
    await file_patrol(p.an)
    replies = await p.son.send("/thongke")
    chat_xlsx = next(m for m in replies if (m.file_name or "").endswith(".xlsx")).file_data
    assert chat_xlsx
    async with browser(wh) as b:
        await sign_in(b, p.son)
        page = await (await b.get("/tai-ve")).text()
        assert "Chưa có tệp nào còn hạn." in page
        form = {"csrf": csrf_of(page), "don-vi": str(await unit_id(wh, PROVINCE)), "tep": "xlsx"}
        made = await b.post("/tai-ve", data=form, headers=ORIGIN, allow_redirects=False)
        assert made.status == 303 and made.headers["Location"] == "/tai-ve?da-tao=1"
        listed = await (await b.get("/tai-ve?da-tao=1")).text()
        assert "Đã tạo tệp" in listed
        rows = table(listed, "files")
        assert [r[0] for r in rows] == ["thongke_tinh-lang-son_m2026-11.xlsx"]
        assert rows[0][1:] == ["09:00 23/11/2026", "09:00 26/11/2026"]
        link = re.search(r'href="(/tai-ve/tep/\d+)"', listed)
        assert link
        got = await b.get(link.group(1))
        assert got.status == 200 and "spreadsheetml" in got.headers["Content-Type"]
        data = await got.read()
        for sheet in ("Toàn đơn vị", "Các tổ", "Xã"):
            assert sheet_values(data, sheet) == sheet_values(chat_xlsx, sheet)
        assert await file_links(wh) == 1  # reloading the list made nothing more
        async with browser(wh) as other:
            await sign_in(other, p.dung)  # another officer: the id opens nothing of theirs
            assert (await other.get(link.group(1))).status == 404


async def test_csv_in_both_styles_and_the_chart_from_the_tally_page(wh: Harness) -> None:
    p = await enrol(wh)
    await file_patrol(p.an)
    team = await unit_id(wh, TEAM_A)
    async with browser(wh) as b:
        await sign_in(b, p.cuong)
        page = await (await b.get(f"/thong-ke?don-vi={team}")).text()
        assert 'name="tep" value="xlsx"' in page and 'name="tep" value="csv-excel-vi"' in page
        for kind in ("csv", "csv-excel-vi", "png"):
            form = {"csrf": csrf_of(page), "don-vi": str(team), "ky": "m2026-11", "tep": kind}
            made = await b.post("/tai-ve", data=form, headers=ORIGIN, allow_redirects=False)
            assert made.status == 303
        listed = await (await b.get("/tai-ve")).text()
        names = [r[0] for r in table(listed, "files")]
        assert sorted(names) == [
            "thongke_thon-na-leng_m2026-11.csv",
            "thongke_thon-na-leng_m2026-11.png",
            "thongke_thon-na-leng_m2026-11_excel-vi.csv",
        ]
        opened = {}
        for path, name in re.findall(r'href="(/tai-ve/tep/\d+)">([^<]+)<', listed):
            opened[name] = await (await b.get(path)).read()
        assert opened["thongke_thon-na-leng_m2026-11.png"][:4] == b"\x89PNG"
        assert b";" in opened["thongke_thon-na-leng_m2026-11_excel-vi.csv"].splitlines()[0]
        assert b"," in opened["thongke_thon-na-leng_m2026-11.csv"].splitlines()[0]


async def test_a_make_without_the_csrf_token_or_outside_the_scope_stores_nothing(
    wh: Harness,
) -> None:
    p = await enrol(wh)
    async with browser(wh) as b:
        await sign_in(b, p.hai)
        page = await (await b.get("/tai-ve")).text()
        commune = str(await unit_id(wh, COMMUNE))
        missing = await b.post("/tai-ve", data={"tep": "xlsx"}, headers=ORIGIN)
        assert missing.status == 403
        wrong = await b.post("/tai-ve", data={"csrf": "x" * 20, "tep": "xlsx"}, headers=ORIGIN)
        assert wrong.status == 403
        form = {"csrf": csrf_of(page), "don-vi": commune, "tep": "xlsx"}
        outside = await b.post("/tai-ve", data=form, headers=ORIGIN)
        assert outside.status == 403 and "Không có quyền" in await outside.text()
    assert await file_links(wh) == 0


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"tu": "32/11/2026", "den": "30/11/2026"}, "Chưa đọc được ngày bắt đầu “32/11/2026”."),
        ({"tep": "exe"}, "Chọn loại tệp cần tạo"),
        ({"tep": "docx", "dot": "p9"}, "Đợt này chưa bắt đầu hoặc không có trong cấu hình."),
        ({"tep": "commend-xlsx", "dip": "f1999x"}, "Dịp khen thưởng không đúng."),
        ({"tep": "commend-xlsx", "dip": "f2026"}, "Chưa có ai được đánh dấu đề nghị khen thưởng"),
    ],
)
async def test_a_file_that_cannot_be_made_says_why_and_stores_nothing(
    wh: Harness, fields: dict[str, str], says: str
) -> None:
    p = await enrol(wh)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        page = await (await b.get("/tai-ve")).text()
        form = {"csrf": csrf_of(page), "tep": "xlsx", **fields}
        got = await b.post("/tai-ve", data=form, headers=ORIGIN)
        assert got.status == 400
        shown = text_of(await got.text())
        assert says in shown and "Không có tệp nào được tạo." in shown
    assert await file_links(wh) == 0


async def test_the_answers_of_tips_reach_a_web_workbook_only_for_the_roles_chat_allows(
    tmp_path: Path,
) -> None:
    config = web_config(tmp_path).model_copy(deep=True)
    config.tally.details_roles = ["officer", "admin"]  # supervisors read tips without answers
    h = await make_harness(tmp_path, ManualClock(START), config)
    try:
        p = await enrol(h)
        await file_tip(p.an)
        chat: dict[str, bytes] = {}
        for name, user in (("son", p.son), ("cuong", p.cuong)):
            replies = await user.send("/thongke Xã Bắc Sơn")
            data = next(m for m in replies if (m.file_name or "").endswith(".xlsx")).file_data
            assert data
            chat[name] = data
        commune = str(await unit_id(h, COMMUNE))
        for name, user in (("son", p.son), ("cuong", p.cuong)):
            async with browser(h) as b:
                await sign_in(b, user)
                page = await (await b.get("/tai-ve")).text()
                form = {"csrf": csrf_of(page), "don-vi": commune, "tep": "xlsx"}
                await b.post("/tai-ve", data=form, headers=ORIGIN)
                listed = await (await b.get("/tai-ve")).text()
                link = re.search(r'href="(/tai-ve/tep/\d+)"', listed)
                assert link
                data = await (await b.get(link.group(1))).read()
            tips = sheet_values(data, "Tin báo, PCCC")
            assert tips == sheet_values(chat[name], "Tin báo, PCCC")
            withheld = any(WITHHELD in str(cell) for row in tips for cell in row)
            assert withheld is (name == "son")
    finally:
        await h.close()


async def test_the_phase_report_and_its_annex_are_made_as_in_chat(tmp_path: Path) -> None:
    config = web_config(tmp_path).model_copy(deep=True)
    config.tally.phases = [Phase(name="Đợt 1", start=date(2026, 11, 1), end=date(2026, 11, 30))]
    h = await make_harness(tmp_path, ManualClock(START), config)
    try:
        p = await enrol(h)
        await file_patrol(p.an)
        async with browser(h) as b:
            await sign_in(b, p.cuong)
            page = await (await b.get("/tai-ve")).text()
            assert '<option value="p1">Đợt 1</option>' in page
            assert '<option value="all">' in page
            commune = str(await unit_id(h, COMMUNE))
            for kind in ("docx", "annex"):
                form = {"csrf": csrf_of(page), "don-vi": commune, "dot": "p1", "tep": kind}
                made = await b.post("/tai-ve", data=form, headers=ORIGIN, allow_redirects=False)
                assert made.status == 303
            listed = await (await b.get("/tai-ve")).text()
            names = sorted(r[0] for r in table(listed, "files"))
            assert names == [
                "baocao-so-ket_xa-bac-son_p1.docx",
                "baocao-so-ket_xa-bac-son_p1_phuluc.xlsx",
            ]
            for path in re.findall(r'href="(/tai-ve/tep/\d+)"', listed):
                assert (await (await b.get(path)).read())[:2] == b"PK"
    finally:
        await h.close()
