"""`antt-bot supervised` as an operator runs it (in-process, on a manual clock): adding,
ending, reoffences and their withdrawal, the audit trail, refusals that save nothing, the
list, and an import file checked whole before anything is saved."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.__main__ import main
from bot.core import cli_support
from bot.core.clock import ManualClock
from tests.unit.test_cli import write_config
from tests.unit.test_member_cli import NOW, ORG


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Units from an org import (two communes, their thôn); today 30/11/2026."""
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert main(["--config", str(tmp_path / "config.toml"), "org", "import",
                 str(tmp_path / "org.csv")]) == 0  # fmt: skip
    monkeypatch.setattr(cli_support, "clock_for", lambda config: ManualClock(NOW))
    return tmp_path


def run(root: Path, *args: str) -> int:
    return main(["--config", str(root / "config.toml"), "supervised", *args])


def rows(root: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(root / "db.sqlite3") as conn:
        return conn.execute(sql).fetchall()


def register(root: Path) -> list[tuple[Any, ...]]:
    return rows(root, "SELECT code, full_name, since, until_on, visit_every_days FROM supervised")


def test_add_end_reoffence_withdraw_all_audited(root: Path, capsys: Any) -> None:
    assert run(root, "add", "nva", "--unit", "Nà Lẹng", "--name", "Nguyễn Văn A",
               "--since", "1/10") == 0  # fmt: skip
    assert "Added NVA to Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng" in capsys.readouterr().out
    assert register(root) == [("NVA", "Nguyễn Văn A", "2026-10-01", None, None)]
    assert run(root, "reoffence", "NVA", "--unit", "Nà Lẹng", "--on", "12/11") == 0
    assert run(root, "reoffence", "nva", "--unit", "Nà Lẹng", "--on", "20/11") == 0
    assert run(root, "withdraw", "NVA", "--unit", "Nà Lẹng", "--on", "12/11") == 0
    assert rows(root, "SELECT on_date, withdrawn_at IS NOT NULL FROM supervised_reoffences") == [
        ("2026-11-12", 1),
        ("2026-11-20", 0),
    ]
    assert run(root, "end", "NVA", "--unit", "Nà Lẹng", "--on", "hôm qua") == 0
    assert register(root)[0][3] == "2026-11-29"
    trail = rows(root, "SELECT subject, action, effective_on, detail, actor FROM audit_trail"
                       " WHERE subject = 'supervised' ORDER BY id")  # fmt: skip
    assert [(s, a, e) for s, a, e, _, _ in trail] == [
        ("supervised", "add", "2026-10-01"),
        ("supervised", "reoffence", "2026-11-12"),
        ("supervised", "reoffence", "2026-11-20"),
        ("supervised", "reoffence_withdrawn", "2026-11-12"),
        ("supervised", "end", "2026-11-29"),
    ]
    assert all("Nguyễn" not in detail for _, _, _, detail, _ in trail)  # codes, never names
    assert all(actor.startswith("command line (") for *_, actor in trail)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "12345", "--unit", "Nà Lẹng"], "A code is letters, digits"),
        (["add", "NVA", "--unit", "Nà Lẹng", "--since", "5/12"], "That day has not come yet"),
        (["add", "NVA", "--unit", "Xã Bắc Sơn"], "is not a team"),
        (["add", "NVA", "--unit", "Thôn Không Có"], "no unit 'Thôn Không Có'"),
        (["end", "XYZ", "--unit", "Nà Lẹng"], "no 'XYZ' under management"),
        (["reoffence", "OLD", "--unit", "Nà Lẹng", "--on", "1/9"], "outside the time"),
        (["withdraw", "OLD", "--unit", "Nà Lẹng"], "already withdrawn or is gone"),
        (["end", "OLD", "--unit", "Nà Lẹng", "--on", "1/9"], "before management began"),
    ],
)
def test_refusals_say_why_and_save_nothing(
    root: Path, capsys: Any, args: list[str], said: str
) -> None:
    assert run(root, "add", "OLD", "--unit", "Nà Lẹng", "--since", "1/10") == 0
    before = (register(root), rows(root, "SELECT * FROM audit_trail"))
    capsys.readouterr()
    assert run(root, *args) in (1, 2)
    assert said in capsys.readouterr().err
    assert (register(root), rows(root, "SELECT * FROM audit_trail")) == before


def test_a_taken_code_is_refused_in_the_team_but_free_in_another(root: Path, capsys: Any) -> None:
    assert run(root, "add", "NVA", "--unit", "Nà Lẹng") == 0
    assert run(root, "add", "nva", "--unit", "Nà Lẹng") == 1
    assert "The code NVA is already on the team's list" in capsys.readouterr().err
    assert run(root, "add", "NVA", "--unit", "Khuôn Pinh") == 0
    assert len(register(root)) == 2


def test_list_shows_due_and_overdue(root: Path, capsys: Any) -> None:
    assert run(root, "add", "NVA", "--unit", "Nà Lẹng", "--since", "1/10", "--name", "A") == 0
    assert run(root, "add", "B2", "--unit", "Khuôn Pinh", "--since", "20/11", "--every", "60") == 0
    capsys.readouterr()
    assert run(root, "list", "--unit", "Xã Bắc Sơn") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["team", "code", "name", "since", "last", "visit", "visit", "due",
                              "reoffences"]  # fmt: skip
    assert "B2" in out[1] and "19/01/2027" in out[1] and "overdue" not in out[1]
    assert "NVA" in out[2] and "31/10/2026 (overdue)" in out[2]


def test_import_a_vietnamese_sheet(root: Path, capsys: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH NGƯỜI ĐƯỢC QUẢN LÝ, GIÁO DỤC"])
    sheet.append(["STT", "Thôn/Tổ", "Mã", "Họ tên", "Từ ngày", "Số ngày thăm"])
    sheet.append([1, "Nà Lẹng", "NVA", "Nguyễn Văn A", "01/10/2026", None])
    sheet.append([2, "Khuôn Pinh", "tb", None, None, 15])
    book.save(root / "ds.xlsx")
    assert run(root, "import", str(root / "ds.xlsx")) == 0
    assert "Added 2 people" in capsys.readouterr().out
    assert register(root) == [
        ("NVA", "Nguyễn Văn A", "2026-10-01", None, None),
        ("TB", None, "2026-11-30", None, 15),
    ]


def test_an_import_with_bad_rows_saves_nothing_and_lists_every_problem(
    root: Path, capsys: Any
) -> None:
    (root / "ds.csv").write_text(
        "Thon/To,Ma,Ho ten,Tu ngay\n"
        "Nà Lẹng,NVA,Nguyễn Văn A,1/10\n"
        "Thôn Mới,X1,,1/10\n"  # two communes have a Thôn Mới
        "Nà Lẹng,nva,,1/10\n"  # the same code twice in one team
        "Khuôn Pinh,K1,,32/13\n",
        encoding="utf-8",
    )
    assert run(root, "import", str(root / "ds.csv")) == 1
    err = capsys.readouterr().err
    assert "ds.csv, line 3: no single team 'Thôn Mới'; give its path" in err
    assert "ds.csv, line 4: The code NVA is already on the team's list" in err
    assert "ds.csv, line 5: not a date: '32/13'" in err
    assert "Nothing was imported." in err
    assert register(root) == []
    assert rows(root, "SELECT * FROM audit_trail WHERE subject = 'supervised'") == []


def test_the_audit_export_names_register_changes_by_code(root: Path, capsys: Any) -> None:
    assert run(root, "add", "NVA", "--unit", "Nà Lẹng", "--name", "Nguyễn Văn A") == 0
    assert run(root, "reoffence", "NVA", "--unit", "Nà Lẹng") == 0
    out = root / "audit.csv"
    assert main(["--config", str(root / "config.toml"), "audit", "--unit", "Xã Bắc Sơn",
                 "--from", "1/11", "--to", "30/11/2026", "--out", str(out)]) == 0  # fmt: skip
    text = out.read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))[1:]
    assert [(r[3], r[4].split(" (#")[0]) for r in lines] == [
        ("Thêm vào danh sách quản lý", "Người được quản lý NVA"),
        ("Ghi nhận tái phạm", "Người được quản lý NVA"),
    ]
    assert "Nguyễn Văn A" not in text
