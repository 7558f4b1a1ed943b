"""Who reads what in a tally's files: the answers of tips and reintegration visits reach only
the roles of `[tally] details_roles` (officers, supervisors, admins by default), in chat, in
the monthly push and on the CLI; everyone else's file still lists those reports."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl

from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import incidents, reports
from tests.inproc.helpers import file_tip
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, PROVINCE, START, TEAM_A, Harness, make_harness
from tests.support.workbook import lines, records

WITHHELD = "(chi tiết chỉ dành cho Công an xã trở lên)"
# The distinctive words of the tip (typed in the wizard), the officer's note on it and the
# reintegration visit: none may appear in a file made for a leader.
SECRETS = (
    "Ngã ba chợ",
    "tụ tập đánh bạc",
    "Đã mời ông Sáu lên làm việc",
    "Đinh Văn Tỏ",
    "Đã bỏ rượu, đi làm thuê",
)
VISIT_NUMBER = "BC-2026-000777"


async def world(h: Harness) -> dict[str, int]:
    """A member of Thôn Nà Lẹng files a tip the officer notes on; a reintegration visit there."""
    ids = {
        "an": await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A),
        "binh": await h.add_member(2, "Lý Thị Bình", "leader", TEAM_A),
        "dung": await h.add_member(4, "Trần Văn Dũng", "officer", COMMUNE),
        "ha": await h.add_member(5, "Lê Thị Hà", "supervisor", PROVINCE),
    }
    await file_tip(h.user(1))
    now = iso(h.clock.now())
    async with h.db.transaction() as tx:
        tip = await tx.fetchone("SELECT id, unit_id FROM reports WHERE kind = 'tip'")
        assert tip is not None
        assert await reports.acknowledge(tx, int(tip["id"]), ids["dung"], now)
        note = "Đã mời ông Sáu lên làm việc"
        assert await incidents.move(tx, int(tip["id"]), "verifying", ids["dung"], now, note=note)
        day = h.clock.now().date().isoformat()
        await reports.create(
            tx,
            number=VISIT_NUMBER,
            member_id=ids["an"],
            unit_id=int(tip["unit_id"]),
            kind="reintegration",
            report_date=day,
            data={"date": day, "person": "Đinh Văn Tỏ", "note": "Đã bỏ rượu, đi làm thuê"},
            urgent=False,
            now_iso=now,
            edit_until_iso=now,
        )
    return ids


def workbook_of(sent: list[Sent]) -> openpyxl.Workbook:
    [book] = [m for m in sent if m.file_name and m.file_name.endswith(".xlsx")]
    return openpyxl.load_workbook(io.BytesIO(book.file_data or b""))


def cells(book: openpyxl.Workbook) -> list[str]:
    """Every non-empty cell of every sheet, as text."""
    return [
        str(value)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def leaks(texts: list[str]) -> list[str]:
    return [s for s in SECRETS if any(s in t for t in texts)]


def raw_rows(book: openpyxl.Workbook) -> dict[str, dict[str, object]]:
    """The reports of every detail sheet (one, or one per commune over several), by number."""
    found: dict[str, dict[str, object]] = {}
    for ws in book.worksheets:
        if ws.title.startswith(("Báo cáo chi tiết", "Chi tiết ")):
            found.update({str(r["Số báo cáo"]): r for r in records(ws)})
    return found


async def test_a_leaders_files_list_the_reports_without_their_details(tmp_path: Path) -> None:
    h = await make_harness(tmp_path)
    try:
        await world(h)
        sent = await h.user(2).send("/thongke")
        book = workbook_of(sent)
        assert leaks(cells(book)) == []
        raw = raw_rows(book)
        tip, visit = raw["BC-2026-000001"], raw[VISIT_NUMBER]
        assert (tip["Loại báo cáo"], tip["Tổ"], tip["Nội dung"]) == (
            "Tin báo ANTT",
            "Thôn Nà Lẹng",
            WITHHELD,
        )
        assert visit["Nội dung"] == WITHHELD and visit["Tổ"] == "Thôn Nà Lẹng"
        urgent = book["Tin báo, PCCC"]
        history = [str(r[-2]) for r in lines(urgent)]
        assert history and "Đang xác minh · Trần Văn Dũng" in history[0]  # who and when stay
        [csv_file] = [m for m in sent if m.file_name and m.file_name.endswith(".csv")]
        text = (csv_file.file_data or b"").decode("utf-8-sig")
        assert leaks([text]) == [] and "Thôn Nà Lẹng" in text
    finally:
        await h.close()


async def test_the_officers_and_supervisors_files_hold_every_detail(tmp_path: Path) -> None:
    h = await make_harness(tmp_path)
    try:
        await world(h)
        for uid in (4, 5):  # the commune officer, the province supervisor
            book = workbook_of(await h.user(uid).send("/thongke"))
            found = cells(book)
            assert all(any(s in t for t in found) for s in SECRETS), uid
            assert WITHHELD not in found
    finally:
        await h.close()


async def test_the_setting_decides_who_reads_details(tmp_path: Path) -> None:
    """A province that keeps them to the commune police: its supervisors' files list the
    reports only; one that trusts its team leaders: theirs hold everything."""
    config = Config.model_validate({"tally": {"details_roles": ["officer"]}})
    h = await make_harness(tmp_path, config=config)
    try:
        await world(h)
        supervisor = workbook_of(await h.user(5).send("/thongke"))
        assert leaks(cells(supervisor)) == []
        assert raw_rows(supervisor)[VISIT_NUMBER]["Nội dung"] == WITHHELD
        officer = workbook_of(await h.user(4).send("/thongke"))
        assert "Đinh Văn Tỏ" in str(raw_rows(officer)[VISIT_NUMBER]["Nội dung"])
    finally:
        await h.close()


async def test_the_monthly_push_follows_the_readers_role(tmp_path: Path) -> None:
    config = Config.model_validate({"tally": {"details_roles": ["officer", "admin"]}})
    h = await make_harness(tmp_path, ManualClock(START), config)
    try:
        await world(h)
        h.clock.set(datetime(2026, 12, 1, 7, 30))
        await Planning(h.runtime.services, jobs_from(h.config, h.clock.tz)).tick()
        await h.drain()
        pushed = {}
        for uid in (4, 5):
            [book] = [m for m in h.api.chat(uid) if m.file_kind == "document"]
            pushed[uid] = cells(openpyxl.load_workbook(io.BytesIO(book.file_data or b"")))
        assert all(any(s in t for t in pushed[4]) for s in SECRETS)  # the officer: all of it
        assert leaks(pushed[5]) == [] and WITHHELD in pushed[5]  # the supervisor: the list
    finally:
        await h.close()
