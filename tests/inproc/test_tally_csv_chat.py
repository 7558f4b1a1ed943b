"""/thongke's CSV in the other style: a button sends the team rows for Excel set to
Vietnamese (";" and decimal commas), or the standard file where that is the configured one."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.core.config import Config
from storage import units
from tests.inproc.helpers import file_patrol, press_data
from tests.inproc.test_zalo import Z, fake, z
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, OTHER_COMMUNE, TEAM_A, Harness, make_harness

__all__ = ["fake", "z"]  # the fake Zalo server and the harness on it, from test_zalo
EXCEL_VI = "📄 CSV (Excel tiếng Việt)"
STANDARD = "📄 CSV (chuẩn, dấu phẩy)"
SENT_EXCEL_VI = (
    "📄 Tệp CSV của Xã Bắc Sơn cho Excel tiếng Việt: các cột ngăn bằng dấu chấm phẩy (;), số "
    "thập phân viết bằng dấu phẩy (0,95 là 95%). Mở tệp là Excel chia đúng cột."
)


async def people(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(4, "Trần Văn Dũng", "officer", COMMUNE)
    await file_patrol(h.user(1))


def csv_of(sent: list[Sent]) -> tuple[str, list[list[str]], str]:
    """The one CSV among the messages: its name, its rows split on its own separator."""
    [file] = [m for m in sent if m.file_name and m.file_name.endswith(".csv")]
    text = (file.file_data or b"").decode("utf-8-sig")
    delimiter = ";" if str(file.file_name).endswith("_excel-vi.csv") else ","
    return str(file.file_name), list(csv.reader(io.StringIO(text), delimiter=delimiter)), text


async def test_the_button_sends_the_csv_for_vietnamese_excel(tmp_path: Path) -> None:
    h = await make_harness(tmp_path)
    try:
        await people(h)
        dung = h.user(4)
        first = await dung.send("/thongke")
        name, rows, _ = csv_of(first)
        assert name == "thongke_xa-bac-son_m2026-11.csv"  # the configured style, as before
        assert EXCEL_VI in first[0].labels() and STANDARD not in first[0].labels()
        replies = await dung.press(EXCEL_VI, on=first[0])
        assert [m.text for m in replies if m.file_kind is None] == [SENT_EXCEL_VI]
        name, excel, text = csv_of(replies)
        assert name == "thongke_xa-bac-son_m2026-11_excel-vi.csv"
        assert [len(r) for r in excel] == [len(r) for r in rows]  # same cells, other separator
        assert excel[0] == rows[0]
        share = rows[0].index("Tỷ lệ báo cáo") if "Tỷ lệ báo cáo" in rows[0] else None
        if share is not None:
            assert excel[1][share] == rows[1][share].replace(".", ",")
        assert "Thôn Nà Lẹng" in text
    finally:
        await h.close()


async def test_where_excel_vi_is_the_default_the_button_offers_the_standard_file(
    tmp_path: Path,
) -> None:
    config = Config.model_validate({"tally": {"csv_style": "excel-vi"}})
    h = await make_harness(tmp_path, config=config)
    try:
        await people(h)
        dung = h.user(4)
        first = await dung.send("/thongke")
        name, rows, _ = csv_of(first)
        assert name.endswith("_excel-vi.csv") and rows[1][0] == "Thôn Khuôn Pinh"
        assert STANDARD in first[0].labels() and EXCEL_VI not in first[0].labels()
        name, rows, _ = csv_of(await dung.press(STANDARD, on=first[0]))
        assert name == "thongke_xa-bac-son_m2026-11.csv" and len(rows) == 1 + 2
    finally:
        await h.close()


async def test_a_forged_csv_button_is_refused_and_sends_nothing(tmp_path: Path) -> None:
    h = await make_harness(tmp_path)
    try:
        await people(h)
        dung = h.user(4)
        table = (await dung.send("/thongke"))[0]
        async with h.db.read() as tx:
            mine = await units.get_by_path(tx, COMMUNE)
            other = await units.get_by_path(tx, OTHER_COMMUNE)
        assert mine is not None and other is not None
        for data, said in (
            (f"tally:{mine.id}:m2026-11:semicolon", "Kỳ thống kê không hợp lệ."),
            (f"tally:{mine.id}:m2026-13:excel-vi", "Kỳ thống kê không hợp lệ."),
            # a month cut to a day outside it, or to no day: the period and the CSV buttons
            (f"tally:{mine.id}:m2026-11~20261031", "Kỳ thống kê không hợp lệ."),
            (f"tally:{mine.id}:m2026-11~2026113:excel-vi", "Kỳ thống kê không hợp lệ."),
            (f"tally:{other.id}:m2026-11:excel-vi", "⛔ Bạn không được xem thống kê"),
        ):
            replies = await press_data(dung, data, on=table)
            assert replies[0].text.startswith(said), replies[0].text
            assert [m for m in replies if m.file_kind is not None] == []
    finally:
        await h.close()


async def test_a_messenger_that_takes_no_files_is_offered_no_csv(z: Z) -> None:
    await z.h.add_invite("ZALOCAX", COMMUNE, "officer")
    officer = z.user("Trần Văn Dũng")
    await z.join(officer, "ZALOCAX")
    table = (await z.say(officer, "/thongke"))[0].text
    assert "Tháng trước" in table and "CSV (Excel" not in table
