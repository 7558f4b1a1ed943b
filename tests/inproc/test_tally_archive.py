"""A province's workbook too big for one file: the summary and a workbook per commune, zipped.

The threshold is made small here (it is 100,000 reports in the bot): Tỉnh T has Xã X (Thôn
42, three reports) and Xã Y (its own Thôn 42, one report).
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.core import cli_support
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally import archive
from bot.tally import cli as tally_cli
from bot.tally.compute import Tally, compute
from bot.tally.labels import labels_for
from bot.tally.periods import month_named
from storage import members, reports, units
from storage.db import Store
from storage.stores import open_store
from tests.support import backend
from tests.support.workbook import lines, note, records

T = "Tỉnh T"
X, Y = f"{T}/Xã X", f"{T}/Xã Y"
NOW = datetime(2026, 12, 1, 8, 0)
CONFIG = Config()
FORMS = load_forms(None)
KINDS = [c.key for c in FORMS.categories]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    database = await open_store(await backend.location(str(tmp_path / "archive.sqlite3")))
    number = 0
    async with database.transaction() as tx:
        for path, kind in ((T, "province"), (X, "commune"), (Y, "commune")):
            await units.upsert(tx, path, kind, None, "2026-01-01")
        for commune, count in ((X, 3), (Y, 1)):
            team, _ = await units.upsert(tx, f"{commune}/Thôn 42", "village", None, "2026-01-01")
            who = await members.create(
                tx, team, "leader", f"Trưởng {commune[-4:]}", "vi", "2026-01-01T08:00:00+07:00"
            )
            for day in range(1, count + 1):
                number += 1
                stamp = f"2026-11-{day:02d}T20:00:00+07:00"
                await reports.create(
                    tx,
                    number=f"BC-{number}",
                    member_id=who,
                    unit_id=team,
                    kind="nil",
                    report_date=f"2026-11-{day:02d}",
                    data={},
                    urgent=False,
                    now_iso=stamp,
                    edit_until_iso=stamp,
                )
    yield database
    await database.close()


async def _tally(db: Store) -> Tally:
    async with db.read() as tx:
        unit = await units.get_by_path(tx, T)
        assert unit is not None
        return await compute(tx, unit, month_named(2026, 11), CONFIG, KINDS, NOW)


async def test_past_the_threshold_the_reports_go_in_commune_files(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    tally = await _tally(db)
    assert not archive.needs_archive(tally)  # four reports: one workbook holds them
    monkeypatch.setattr(archive, "BOOK_DETAIL_ROWS", 2)
    assert archive.needs_archive(tally)
    labels = labels_for(Texts.load(), FORMS, CONFIG, "vi")
    data = await archive.archive_bytes(db, tally, labels, CONFIG)
    zipped = zipfile.ZipFile(io.BytesIO(data))
    stem = "thongke_tinh-t_m2026-11"
    assert zipped.namelist() == [
        f"{stem}.xlsx",
        f"{stem}_001_xa-x.xlsx",
        f"{stem}_002_xa-y.xlsx",
    ]
    summary = load_workbook(io.BytesIO(zipped.read(f"{stem}.xlsx")))
    assert "Từng thành viên" in summary.sheetnames
    index = summary[summary.sheetnames[-1]]
    assert index.title == "Báo cáo chi tiết"
    assert note(index).startswith("Kỳ này có 4 báo cáo, quá nhiều cho một tệp Excel")
    assert f"tệp nén {stem}.zip" in note(index)
    assert [(r["Xã"], r["Số báo cáo"]) for r in records(index)] == [("Xã X", 3), ("Xã Y", 1)]
    assert records(index)[0]["Tệp"] == f"{stem}_001_xa-x.xlsx"
    teams = [r["Đơn vị"] for r in records(summary["Các tổ"])]
    assert teams[:2] == ["Thôn 42 (Xã X)", "Thôn 42 (Xã Y)"]
    x = load_workbook(io.BytesIO(zipped.read(f"{stem}_001_xa-x.xlsx")))
    assert x.sheetnames == ["Chi tiết Xã X"]
    ws = x["Chi tiết Xã X"]
    assert str(ws["A2"].value).startswith("Đơn vị: Xã X (Tỉnh T/Xã X)")
    assert [row[0] for row in lines(ws)] == ["BC-1", "BC-2", "BC-3"]
    assert {r["Tổ"] for r in records(ws)} == {"Thôn 42 (Xã X)"}
    y = load_workbook(io.BytesIO(zipped.read(f"{stem}_002_xa-y.xlsx")))
    assert [row[0] for row in lines(y["Chi tiết Xã Y"])] == ["BC-4"]
    # Made again later, the closed month's archive is the same bytes.
    later = await _tally(db)
    later.generated_at = datetime(2027, 1, 5, 9, 0)
    assert await archive.archive_bytes(db, later, labels, CONFIG) == data


async def test_the_cli_writes_the_zip_next_to_the_file_asked_for(
    db: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--out tally.xlsx` for a tally that needs commune files writes tally.zip and says so,
    never a zip named .xlsx."""
    monkeypatch.setattr(archive, "BOOK_DETAIL_ROWS", 2)
    monkeypatch.setattr(cli_support, "clock_for", lambda _config: ManualClock(NOW))
    config = Config.model_validate(
        {"database": backend.settings(str(tmp_path / "archive.sqlite3"))}
    )
    out = tmp_path / "tally.xlsx"
    args = argparse.Namespace(
        unit=T, start="01/11/2026", end="30/11/2026", format="xlsx", out=str(out),
        locale=None, demo=False, csv_style=None, for_role="admin",
    )  # fmt: skip
    assert await tally_cli.run(config, args) == 0
    err = capsys.readouterr().err
    assert f"writing a zip: {tmp_path / 'tally.zip'}" in err
    assert not out.exists()
    names = zipfile.ZipFile(tmp_path / "tally.zip").namelist()
    assert len(names) == 3 and names[0].endswith(".xlsx")
