"""The two CSV styles of a tally: the standard one for scripts, the one a Vietnamese Excel
splits into columns (";" between fields, "," before decimals); both read back by Python."""

from __future__ import annotations

import csv
import io

import pytest

from bot.core.config import Config
from bot.tally.render.csv_file import csv_name, team_csv
from tests.unit.test_render import build_tally, labels


def read(data: bytes, delimiter: str) -> list[dict[str, str]]:
    """The file as Excel's import reads it: UTF-8 after the BOM, split on `delimiter`."""
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM keeps the diacritics in Excel
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8")), delimiter=delimiter))


def number(text: str, decimal: str) -> float:
    """A cell read back as a number in the file's own convention."""
    assert text.count(decimal) <= 1 and ("," if decimal == "." else ".") not in text
    return float(text.replace(decimal, "."))


def test_the_excel_vi_style_splits_on_semicolons_with_decimal_commas() -> None:
    tally = build_tally()
    data = team_csv(tally, labels(), "excel-vi")
    rows = read(data, ";")
    assert len(rows) == 3
    line = rows[1]
    assert line["Đơn vị"] == "Thôn Nà Lẹng (Xã Bắc Sơn)"  # named with its commune
    assert line["Tỷ lệ đúng hạn"] == "0,9667"
    assert number(line["Tỷ lệ đúng hạn"], ",") == pytest.approx(0.9667)
    assert number(line["Việc tốt"], ",") == 2
    assert line["Gợi ý xếp loại"] == "Hoàn thành xuất sắc nhiệm vụ"
    # Every line splits into as many cells as the header has: none merged, none split.
    lines = list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))
    assert {len(cells) for cells in lines} == {len(lines[0])} and len(lines[0]) > 20


def test_the_standard_style_is_unchanged_commas_and_decimal_points() -> None:
    tally = build_tally()
    rows = read(team_csv(tally, labels()), ",")
    assert rows == read(team_csv(tally, labels(), "standard"), ",")
    assert rows[1]["Tỷ lệ đúng hạn"] == "0.9667"
    assert number(rows[1]["Tỷ lệ đúng hạn"], ".") == pytest.approx(0.9667)


def test_both_styles_hold_the_same_values() -> None:
    tally = build_tally()
    standard = read(team_csv(tally, labels(), "standard"), ",")
    excel = read(team_csv(tally, labels(), "excel-vi"), ";")
    assert [list(r) for r in excel] == [list(r) for r in standard]
    numbers = 0
    for a, b in zip(standard, excel, strict=True):
        for key, text in a.items():
            try:
                value = float(text)
            except ValueError:
                assert b[key] == text  # words, marks and empty cells alike
                continue
            numbers += 1
            assert number(b[key], ",") == value
    assert numbers > 20


def test_a_name_holding_the_separator_stays_in_its_cell() -> None:
    tally = build_tally()
    tally.teams[0].name = "Thôn A; Thôn B, cũ"
    for style, delimiter in (("excel-vi", ";"), ("standard", ",")):
        rows = read(team_csv(tally, labels(), style), delimiter)  # type: ignore[arg-type]
        assert rows[0]["Đơn vị"] == "Thôn A; Thôn B, cũ (Xã Bắc Sơn)"


def test_the_style_is_a_setting_and_names_its_file() -> None:
    assert Config().tally.csv_style == "standard"
    assert Config.model_validate({"tally": {"csv_style": "excel-vi"}}).tally.csv_style == "excel-vi"
    with pytest.raises(ValueError, match="csv_style"):
        Config.model_validate({"tally": {"csv_style": "semicolon"}})
    assert csv_name("thongke_xa_m2026-11", "standard") == "thongke_xa_m2026-11.csv"
    assert csv_name("thongke_xa_m2026-11", "excel-vi") == "thongke_xa_m2026-11_excel-vi.csv"
