"""`antt-bot roster sheet`: per unit, a page listing who still has to join, with one QR code
per member that decodes to their deep link, names printed with their diacritics; joined
members only with --all; used or expired codes renewed (and the old ones revoked) with
--renew."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.core.clock import ManualClock
from bot.people.membership import Actor
from bot.people.roster import pdf
from bot.people.roster.importing import RosterResult
from bot.people.roster.sheet import Sheet, SheetError, Wanted, collect
from storage.db import Database
from tests.support.roster import (
    COMMUNE,
    GOOD,
    KHUON_PINH,
    NA_LENG,
    clock,
    csv_file,
    rows,
    run,
    seed,
)

BOT = "antt_bacson_bot"


def link(code: str) -> str:
    return f"https://t.me/{BOT}?start={code}"


def wanted(unit: str = "bac son", *, include_joined: bool = False, renew: bool = False) -> Wanted:
    return Wanted(unit, include_joined, renew, 90, BOT, Actor(None, "command line (test)"))


def pages_of(path: Path) -> list[tuple[str, list[str]]]:
    """Each page's text and the QR codes found on it, decoded."""
    found = []
    document = pdfium.PdfDocument(path)
    try:
        for page in document:
            text = page.get_textpage().get_text_range()
            image = page.render(scale=2).to_pil()
            found.append((text, sorted(b.text for b in zxingcpp.read_barcodes(image))))
    finally:
        document.close()
    return found


async def printed(
    db: Database, tmp_path: Path, at: ManualClock, want: Wanted
) -> tuple[Sheet, list[tuple[str, list[str]]]]:
    sheet = await collect(db, at, want)
    out = tmp_path / "sheet.pdf"
    pdf.render(sheet, out, "Công an xã Bắc Sơn", at.now().date())
    return sheet, pages_of(out)


@pytest.fixture
async def listed(db: Database, tmp_path: Path) -> RosterResult:
    await seed(db)
    return await run(db, csv_file(tmp_path, GOOD))


def codes(result: RosterResult) -> dict[str, str]:
    return {p.name: p.code for p in result.created}


async def test_one_page_per_unit_with_one_qr_code_per_member(
    db: Database, tmp_path: Path, listed: RosterResult
) -> None:
    code = codes(listed)
    sheet, pages = await printed(db, tmp_path, clock(), wanted())
    assert [p.unit_path for p in sheet.pages] == [COMMUNE, KHUON_PINH, NA_LENG]
    assert sheet.codes == 4 and sheet.without_code == 0 and sheet.renewed == 0
    assert [qrs for _, qrs in pages] == [
        [link(code["Hoàng Văn Thụ"])],
        [link(code["Lê Thị Hoa"])],
        sorted([link(code["Nguyễn Văn An"]), link(code["Trần Thị Bình"])]),
    ]
    text = pages[2][0]
    assert "Tỉnh Lạng Sơn › Xã Bắc Sơn › Thôn Nà Lẹng" in text
    for name in ("Nguyễn Văn An", "Trần Thị Bình"):
        assert name in text
        assert f"Mã: {code[name]}" in text
        assert f"Trên Zalo: nhắn “/start {code[name]}” cho OA “Công an xã Bắc Sơn”" in text
    assert "Vai trò: Tổ trưởng" in text and "Vai trò: Tổ viên" in text
    assert "Hạn dùng: đến 09:00 28/02/2027." in text
    assert "Vai trò: Cán bộ Công an xã" in pages[0][0]


async def test_a_team_too_long_for_one_page_goes_on_over_several(
    db: Database, tmp_path: Path
) -> None:
    await seed(db)
    names = [f"Nguyễn Văn {chr(ord('A') + i)}ơn" for i in range(pdf.PER_PAGE * 2 + 1)]
    result = await run(db, csv_file(tmp_path, [[n, NA_LENG, "", "", ""] for n in names]))
    _, pages = await printed(db, tmp_path, clock(), wanted("Xã Bắc Sơn/Nà Lẹng"))
    assert len(pages) == 3
    assert [len(qrs) for _, qrs in pages] == [pdf.PER_PAGE, pdf.PER_PAGE, 1]
    assert sorted(q for _, qrs in pages for q in qrs) == sorted(
        link(p.code) for p in result.created
    )
    assert "Trang 3/3" in pages[2][0]
    assert all(any(n in text for text, _ in pages) for n in names)


async def test_members_who_joined_are_left_out_unless_all(
    db: Database, tmp_path: Path, listed: RosterResult
) -> None:
    an = listed.created[0]
    async with db.transaction() as tx:
        await tx.execute("UPDATE invites SET uses_left = 0 WHERE code = ?", (an.code,))
        await tx.execute(
            "INSERT INTO identities (channel, user_id, chat_id, member_id, linked_at)"
            " VALUES ('telegram', '50', '50', ?, '2026-11-30T10:00:00+07:00')",
            (an.member_id,),
        )
    sheet, pages = await printed(db, tmp_path, clock(), wanted())
    assert "Nguyễn Văn An" not in pages[2][0] and len(pages[2][1]) == 1
    sheet, pages = await printed(db, tmp_path, clock(), wanted(include_joined=True))
    assert sheet.codes == 3 and sheet.without_code == 0
    assert "Nguyễn Văn An" in pages[2][0] and "Đã tham gia, không cần mã." in pages[2][0]
    assert pages[2][1] == [link(codes(listed)["Trần Thị Bình"])]


async def test_expired_codes_are_listed_without_a_code_then_renewed(
    db: Database, tmp_path: Path, listed: RosterResult
) -> None:
    later = clock()
    later.set(later.now() + timedelta(days=91))
    sheet, pages = await printed(db, tmp_path, later, wanted("Xã Bắc Sơn/Khuôn Pinh"))
    assert sheet.without_code == 1 and pages[0][1] == []
    assert "Chưa có mã còn dùng được." in pages[0][0]

    sheet, pages = await printed(db, tmp_path, later, wanted("Xã Bắc Sơn/Khuôn Pinh", renew=True))
    assert sheet.renewed == 1 and sheet.without_code == 0
    old = codes(listed)["Lê Thị Hoa"]
    [new] = await rows(db, "SELECT code FROM invites WHERE revoked_at IS NULL AND member_id = 2")
    assert new["code"] != old and pages[0][1] == [link(new["code"])]
    revoked = await rows(db, "SELECT revoked_at FROM invites WHERE code = ?", (old,))
    assert revoked[0]["revoked_at"] is not None
    [entry] = await rows(db, "SELECT * FROM audit_trail WHERE action = 'renew'")
    assert entry["subject"] == "invite" and entry["subject_id"] == new["code"]
    assert json.loads(entry["detail"]) == {"member_id": 2, "replaces": old}
    # other units' codes are untouched
    assert await rows(db, "SELECT COUNT(*) AS n FROM invites WHERE revoked_at IS NULL") == [
        {"n": 4}
    ]


async def test_an_unknown_unit_names_the_closest(db: Database, listed: RosterResult) -> None:
    with pytest.raises(SheetError, match=f"no unit 'khuon pin'; the closest: {KHUON_PINH}"):
        await collect(db, clock(), wanted("khuon pin"))
