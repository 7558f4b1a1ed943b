"""`antt-bot phase report|submitted|status` as an operator runs them, on the hand-worked
commune of tests/inproc/phase_world.py."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.__main__ import main
from bot.core import cli_support
from bot.core.clock import ManualClock
from bot.core.config import TOKEN_ENV
from tests.inproc.phase_world import SO_KET, world
from tests.support import backend

CONFIG = """[database]
{database}

[zalo]
media_dir = "{root}/media"

[[tally.phases]]
name = "Đợt 1"
theme = "Chào mừng 95 năm thành lập Đảng"
start = 2026-11-01
end = 2026-11-20

[[tally.phases]]
name = "Đợt 2"
start = 2026-11-21
end = 2027-02-03

[[tally.phases]]
name = "Đợt 3"
start = 2027-02-04
end = 2027-08-19

[[reminders.milestones]]
name = "Báo cáo sơ kết Đợt 1"
due = 2026-11-30
report = "so_ket"
phase = "Đợt 1"

[[reminders.milestones]]
name = "Báo cáo tổng kết"
due = 2027-08-10
report = "tong_ket"
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The commune's database and a config naming it; the operator's today is 23/11/2026."""

    async def build() -> None:
        h, _, _ = await world(tmp_path)
        await h.close()

    asyncio.run(build())
    database = backend.toml(str(tmp_path / "bot.sqlite3"))
    (tmp_path / "config.toml").write_text(
        CONFIG.format(root=tmp_path, database=database), encoding="utf-8"
    )
    monkeypatch.setattr(
        cli_support, "clock_for", lambda config: ManualClock(datetime(2026, 11, 23, 9, 0))
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(TOKEN_ENV, raising=False)  # no token: Telegram photos are named
    return tmp_path


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--config", str(root / "config.toml"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_writes_the_docx_and_its_annex(root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = root / "out" / "so-ket.docx"
    code, _, err = run(root, capsys, "phase", "report", "--unit", "bac son", "--phase", "dot 1",
                       "--out", str(out))  # fmt: skip
    assert code == 0, err
    annex = root / "out" / "so-ket_phuluc.xlsx"
    assert f"Wrote {out}" in err and str(annex) in err
    doc = docx.Document(str(out))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Buổi tuần tra được báo cáo: 3." in paragraphs
    assert "Thành viên tham gia tuần tra: 2/3." in paragraphs
    assert len(doc.inline_shapes) == 1  # the stored photo; no token here for Telegram's
    assert "(1 ảnh trên Telegram, chưa tải về được.)" in paragraphs
    assert len(openpyxl.load_workbook(annex, read_only=True).sheetnames) >= 2


def test_report_of_the_whole_movement_gets_a_default_name(root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(root, capsys, "phase", "report", "--unit", "Xã Hữu Vĩnh", "--all")
    assert code == 0, err
    doc = docx.Document(str(root / "baocao-tong-ket_xa-huu-vinh_all.docx"))
    assert "Buổi tuần tra được báo cáo: 1." in [p.text for p in doc.paragraphs]
    assert (root / "baocao-tong-ket_xa-huu-vinh_all_phuluc.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "bac son", "--phase", "Đợt 9"], "no phase 'Đợt 9'; configured: 'Đợt 1'"),
        (["--unit", "bac son", "--phase", "Đợt 3"], "that phase has not started yet"),
        (["--unit", "Thôn Nà Lẹng", "--all"], "is a team: a phase report is for a commune"),
        (["--unit", "Xã Không Có", "--all"], "no unit 'Xã Không Có'"),
    ],
)
def test_report_refuses_what_it_cannot_draft(root: Path, capsys, args, message) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(root, capsys, "phase", "report", *args)
    assert code != 0
    assert message in err
    assert not list(root.glob("*.docx"))


def test_submitted_then_status_and_marking_again_changes_nothing(root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(root, capsys, "phase", "submitted", "--unit", "bac son",
                         "--milestone", "bao cao so ket dot 1", "--on", "22/11/2026")  # fmt: skip
    assert code == 0, err
    assert out == f"Tỉnh Lạng Sơn/Xã Bắc Sơn: {SO_KET!r} marked submitted on 22/11/2026\n"
    code, out, _ = run(root, capsys, "phase", "submitted", "--unit", "bac son",
                       "--milestone", SO_KET)  # fmt: skip
    assert code == 0
    assert (
        out
        == f"Tỉnh Lạng Sơn/Xã Bắc Sơn: {SO_KET!r} was marked submitted already; nothing changed\n"
    )
    code, out, _ = run(root, capsys, "phase", "status", "--milestone", SO_KET)
    assert code == 0
    assert out.splitlines() == [
        f"{SO_KET} (due 30/11/2026): 1/2 submitted",
        "  commune                    submitted",
        "  Tỉnh Lạng Sơn/Xã Bắc Sơn   22/11/2026",
        "  Tỉnh Lạng Sơn/Xã Hữu Vĩnh  not yet",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "bac son", "--milestone", "Lễ phát động"], "no phase-report milestone"),
        (
            ["--unit", "bac son", "--milestone", SO_KET, "--on", "1/12/2026"],
            "--on is in the future",
        ),
        (["--unit", "bac son", "--milestone", SO_KET, "--on", "ngày mai nữa"], "--on: not a date"),
    ],
)
def test_submitted_refuses_bad_input_and_saves_nothing(root: Path, capsys, args, message) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(root, capsys, "phase", "submitted", *args)
    assert code == 2
    assert message in err
    _, out, _ = run(root, capsys, "phase", "status", "--milestone", SO_KET)
    assert out.splitlines()[0] == f"{SO_KET} (due 30/11/2026): 0/2 submitted"


def test_the_audit_export_names_the_mark_in_words(root: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run(root, capsys, "phase", "submitted", "--unit", "bac son", "--milestone", SO_KET)
    out = root / "audit.csv"
    code, _, err = run(root, capsys, "audit", "--unit", "bac son", "--from", "23/11/2026",
                       "--to", "23/11/2026", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "Đánh dấu đã nộp báo cáo sơ kết, tổng kết" in out.read_text(encoding="utf-8-sig")
