"""The tally of tips and fires through their life, on a small world worked out by hand.

Month 11/2026 (calendar month). Commune X (officer o, "Người o") with teams A and B.

Tips (take-up limit 60 minutes, from when the first alert was due):
  t1 A urgent, filed 02/11 10:00, acknowledged 10:20 (in time), verifying, resolved
  t2 A normal, filed 03/11 22:30 in quiet hours, alert due 04/11 06:30, acknowledged 07:00:
     in time from the alert (8.5 hours after filing), still open (acknowledged)
  t3 A filed 05/11 09:00, acknowledged 12:00 (late), forwarded
  t4 A the same incident as t1: duplicate, counted nowhere
  t5 B filed 06/11 08:00, nobody took it up: still open (received)
  t6 B filed 07/11 08:00, acknowledged 08:30 (in time), unfounded
  t7 B withdrawn by its reporter: counted nowhere
Fires:
  f1 A the member said "in time", the officer confirmed late
  f2 B confirmed in time
  f3 B not yet confirmed
  f4 B the same incident as f2: duplicate
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.config import Config
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally import files as tally_files
from bot.tally.compute import Tally, compute
from bot.tally.labels import labels_for
from bot.tally.periods import month_named
from bot.tally.render.sheet import HEADER_ROW
from bot.tally.text import TallyWriter
from storage import incidents, members, reports, units
from storage.db import Store
from storage.stores import open_store
from tests.support import backend
from tests.support.workbook import headers as sheet_headers
from tests.support.workbook import lines as sheet_lines
from tests.support.workbook import note as sheet_note

X = "Xã X"
A = f"{X}/Thôn A"
B = f"{X}/Thôn B"
NOW = datetime(2026, 12, 1, 8, 0)
CONFIG = Config()
FORMS = load_forms(None)
KINDS = [c.key for c in FORMS.categories]
URGENT = [c.key for c in FORMS.categories if c.urgent]
TEXTS = Texts.load()


def iso(stamp: str) -> str:
    """'2026-11-02 10:00' as stored: local time with its offset."""
    return stamp.replace(" ", "T") + ":00+07:00"


class World:
    def __init__(self, db: Store) -> None:
        self.db = db
        self.ids: dict[str, int] = {}
        self.unit_ids: dict[str, int] = {}
        self.reports: dict[str, int] = {}

    async def unit(self, path: str, kind: str) -> None:
        async with self.db.transaction() as tx:
            self.unit_ids[path], _ = await units.upsert(tx, path, kind, None, "2026-01-01")

    async def member(self, key: str, path: str, role: str) -> None:
        async with self.db.transaction() as tx:
            self.ids[key] = await members.create(
                tx, self.unit_ids[path], role, f"Người {key}", "vi", "2026-01-01T08:00:00+07:00"
            )

    async def urgent(
        self,
        key: str,
        who: str,
        kind: str,
        filed: str,
        *,
        alert: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """File an urgent report as the wizard does: saved, then its case opened."""
        created = iso(filed)
        day = filed[:10]
        async with self.db.transaction() as tx:
            member = await members.get(tx, self.ids[who])
            assert member is not None
            rid = await reports.create(
                tx,
                number=f"BC-{key}",
                member_id=self.ids[who],
                unit_id=member.unit_id,
                kind=kind,
                report_date=day,
                data={"date": day, **(data or {})},
                urgent=True,
                now_iso=created,
                edit_until_iso=created,
            )
            await incidents.open_case(tx, rid, self.ids[who], created, iso(alert or filed))
        self.reports[key] = rid

    async def ack(self, key: str, at: str) -> None:
        async with self.db.transaction() as tx:
            assert await reports.acknowledge(tx, self.reports[key], self.ids["o"], iso(at))

    async def move(self, key: str, state: str, at: str, note: str | None = None) -> None:
        async with self.db.transaction() as tx:
            moved = await incidents.move(
                tx, self.reports[key], state, self.ids["o"], iso(at), note=note
            )
            assert moved

    async def duplicate(self, key: str, of: str, at: str) -> None:
        """What the officer's "same incident" step leaves behind (another helper's code)."""
        async with self.db.transaction() as tx:
            target = self.reports[of]
            await incidents.move(
                tx,
                self.reports[key],
                "duplicate",
                self.ids["o"],
                iso(at),
                detail={"duplicate_of": target},
            )
            await tx.execute(
                "UPDATE reports SET duplicate_of = ? WHERE id = ?", (target, self.reports[key])
            )

    async def confirm(self, key: str, in_time: bool, at: str) -> None:
        async with self.db.transaction() as tx:
            await incidents.confirm_fire(tx, self.reports[key], self.ids["o"], in_time, iso(at))
            await incidents.move(
                tx, self.reports[key], "done", self.ids["o"], iso(at), detail={"in_time": in_time}
            )

    async def withdraw(self, key: str) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE reports SET status = 'withdrawn' WHERE id = ?", (self.reports[key],)
            )


FIRE = {"mobilised": True}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_store(await backend.location(str(tmp_path / "urgent.sqlite3")))
    w = World(db)
    await w.unit(X, "commune")
    await w.unit(A, "village")
    await w.unit(B, "village")
    await w.member("o", X, "officer")
    await w.member("a1", A, "leader")
    await w.member("b1", B, "leader")

    await w.urgent("t1", "a1", "tip", "2026-11-02 10:00")
    await w.ack("t1", "2026-11-02 10:20")
    await w.move("t1", "verifying", "2026-11-02 11:00", note="Đã cử người xuống")
    await w.move("t1", "resolved", "2026-11-03 09:00", note="Đã hòa giải")
    await w.urgent("t2", "a1", "tip", "2026-11-03 22:30", alert="2026-11-04 06:30")
    await w.ack("t2", "2026-11-04 07:00")
    await w.urgent("t3", "a1", "tip", "2026-11-05 09:00")
    await w.ack("t3", "2026-11-05 12:00")
    await w.move("t3", "forwarded", "2026-11-05 15:00")
    await w.urgent("t4", "a1", "tip", "2026-11-02 10:05")
    await w.duplicate("t4", "t1", "2026-11-02 10:30")
    await w.urgent("t5", "b1", "tip", "2026-11-06 08:00")
    await w.urgent("t6", "b1", "tip", "2026-11-07 08:00")
    await w.ack("t6", "2026-11-07 08:30")
    await w.move("t6", "unfounded", "2026-11-08 08:00")
    await w.urgent("t7", "b1", "tip", "2026-11-09 08:00")
    await w.withdraw("t7")

    await w.urgent("f1", "a1", "fire_rescue", "2026-11-10 14:00", data={**FIRE, "in_time": True})
    await w.ack("f1", "2026-11-10 14:05")
    await w.confirm("f1", False, "2026-11-11 08:00")
    await w.urgent("f2", "b1", "fire_rescue", "2026-11-12 14:00", data={**FIRE, "in_time": True})
    await w.ack("f2", "2026-11-12 14:05")
    await w.confirm("f2", True, "2026-11-13 08:00")
    await w.urgent("f3", "b1", "fire_rescue", "2026-11-14 14:00", data={**FIRE, "in_time": True})
    await w.urgent("f4", "b1", "fire_rescue", "2026-11-12 14:03", data=FIRE)
    await w.duplicate("f4", "f2", "2026-11-12 14:10")
    yield w
    await db.close()


async def tally_of(world: World, path: str = X) -> Tally:
    async with world.db.read() as tx:
        unit = await units.get_by_path(tx, path)
        assert unit is not None
        return await compute(tx, unit, month_named(2026, 11), CONFIG, KINDS, NOW, URGENT)


def named(tally: Tally, name: str) -> Any:
    return next(u for u in tally.units if u.name == name)


async def test_the_commune_counts_each_tip_once_through_its_life(world: World) -> None:
    x = (await tally_of(world)).root
    f = x.figures
    assert (f.tips, f.tips_duplicate) == (5, 1)  # t4 repeats t1; t7 was withdrawn
    assert f.by_kind["tip"] == 5  # the duplicate is not a second report of the incident
    assert (f.tips_acked, f.tips_acked_in_time) == (4, 3)  # t1, t2 (from its alert), t6
    assert (f.tips_resolved, f.tips_forwarded, f.tips_unfounded) == (1, 1, 1)
    assert f.tips_open == 2  # t2 acknowledged, t5 received
    assert f.tips_settled == 3
    resolved = x.targets["tips_resolved"]
    assert resolved.value == pytest.approx(3 / 5) and resolved.goal == 0.9
    assert resolved.met is False
    assert x.targets["tips_acked"].value == pytest.approx(4 / 5)
    assert x.targets["tips_in_time"].value == pytest.approx(3 / 5)
    assert x.teams_applicable["tips_resolved"] == 2 and x.teams_meeting["tips_resolved"] == 0


async def test_a_normal_tip_held_overnight_is_measured_from_its_alert(world: World) -> None:
    a = named(await tally_of(world), "Thôn A").figures
    # t1 in 20 minutes; t2 30 minutes after its morning alert (8.5 hours after filing);
    # t3 three hours late. Measured from filing, t2 would be late too.
    assert (a.tips, a.tips_acked, a.tips_acked_in_time) == (3, 3, 2)


async def test_fires_in_time_are_the_officers_word_not_the_members(world: World) -> None:
    tally = await tally_of(world)
    x = tally.root.figures
    assert (x.fires, x.fires_duplicate) == (3, 1)
    assert x.by_kind["fire_rescue"] == 3
    assert (x.fires_confirmed, x.fires_confirmed_in_time) == (2, 1)
    assert (x.fire_mobilised, x.fire_in_time) == (3, 3)  # the members' own answers, kept
    assert tally.root.targets["fire_in_time"].value == pytest.approx(1 / 2)
    a, b = named(tally, "Thôn A"), named(tally, "Thôn B")
    assert a.targets["fire_in_time"].met is False  # "in time" said the member; late, the officer
    assert b.targets["fire_in_time"].met is True  # f2 confirmed; f3 not yet, not guessed
    assert b.figures.fires - b.figures.fires_confirmed == 1


async def test_the_chat_message_tells_the_urgent_figures(world: World) -> None:
    tally = await tally_of(world)
    labels = labels_for(TEXTS, FORMS, CONFIG, "vi")
    text = TallyWriter(labels).message(tally, "21:00", 12)
    assert (
        "🚨 Tin báo: 5 · đã tiếp nhận 4 (trong 60 phút: 3) · đã giải quyết 1"
        " · chuyển cơ quan khác 1 · không có cơ sở 1 · còn mở 2"
    ) in text
    assert "Tỷ lệ giải quyết 60% (chỉ tiêu 90%) · tiếp nhận 80% (chỉ tiêu 100%)" in text
    assert (
        "🔥 PCCC, cứu nạn: 3 vụ · cán bộ xác nhận có mặt kịp thời 1/2 (50%, chỉ tiêu 100%)"
        " · chưa xác nhận 1"
    ) in text
    assert "2 báo cáo trùng vụ việc với báo cáo khác: chỉ tính một lần." in text
    english = TallyWriter(labels_for(TEXTS, FORMS, CONFIG, "en")).message(tally, "21:00", 12)
    assert "Resolution rate 60% (target 90%)" in english


async def test_the_workbook_lists_every_urgent_report_with_its_history(world: World) -> None:
    tally = await tally_of(world)
    labels = labels_for(TEXTS, FORMS, CONFIG, "vi")
    data = await tally_files.xlsx_bytes(world.db, tally, labels, CONFIG, None, role="officer")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Tin báo, PCCC"]
    headers = sheet_headers(ws)
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in sheet_lines(ws)}
    # Withdrawn t7 is not there; the duplicates are, saying what they repeat.
    assert list(rows) == [
        *("BC-t1", "BC-t4", "BC-t2", "BC-t3", "BC-t5", "BC-t6"),
        *("BC-f1", "BC-f2", "BC-f4", "BC-f3"),
    ]
    t1 = rows["BC-t1"]
    assert t1["Loại báo cáo"] == "Tin báo ANTT"
    assert t1["Tổ"] == "Thôn A" and t1["Người báo cáo"] == "Người a1"
    assert t1["Trạng thái"] == "Đã giải quyết"
    assert t1["Người tiếp nhận"] == "Người o"
    assert t1["Số phút đến khi tiếp nhận"] == 20
    assert t1["Tiếp nhận trong 60 phút?"] == "Có"
    assert t1["Diễn biến (thời điểm · bước · người · ghi chú)"].split("\n") == [
        "02/11/2026 10:00 · Chờ tiếp nhận · Người a1",
        "02/11/2026 10:20 · Đã tiếp nhận · Người o",
        "02/11/2026 11:00 · Đang xác minh · Người o · Đã cử người xuống",
        "03/11/2026 09:00 · Đã giải quyết · Người o · Đã hòa giải",
    ]
    t2 = rows["BC-t2"]
    assert t2["Thời điểm gửi"] == datetime(2026, 11, 3, 22, 30)
    assert t2["Cảnh báo đi lúc"] == datetime(2026, 11, 4, 6, 30)
    assert (t2["Số phút đến khi tiếp nhận"], t2["Tiếp nhận trong 60 phút?"]) == (30, "Có")
    assert rows["BC-t3"]["Tiếp nhận trong 60 phút?"] == "Không"
    assert rows["BC-t4"]["Trùng với báo cáo"] == "BC-t1"
    assert rows["BC-t4"]["Trạng thái"] == "Trùng vụ việc"
    assert (
        rows["BC-t5"]["Người tiếp nhận"] is None and rows["BC-t5"]["Trạng thái"] == "Chờ tiếp nhận"
    )
    f1 = rows["BC-f1"]
    assert f1["Cán bộ xác nhận có mặt kịp thời"] == "Không"
    assert f1["Người xác nhận"] == "Người o"
    assert f1["Thời điểm xác nhận"] == datetime(2026, 11, 11, 8, 0)
    assert "Đã xử lý xong · Người o · có mặt kịp thời: Không" in f1[headers[-2]]
    assert rows["BC-f3"]["Cán bộ xác nhận có mặt kịp thời"] is None
    history = ws.cell(row=HEADER_ROW + 1, column=headers.index(headers[-2]) + 1)
    assert history.alignment.wrap_text

    targets = wb["Chỉ tiêu tin báo, PCCC"]
    lines = {row[0]: row for row in sheet_lines(targets)}
    resolved = lines["Tỷ lệ giải quyết tin báo"]
    assert resolved[1:4] == (0.9, pytest.approx(0.6), 0)  # 0 shows as ✗ and counts
    assert "Lục Ngạn" in resolved[7] and "đạt trên 90%" in resolved[7]
    assert "không có cơ sở" in resolved[6]
    assert "Thực tiễn địa phương" in lines["Tiếp nhận trong 60 phút"][7]
    assert "cứu nạn, cứu hộ" in lines["PCCC kịp thời"][7]

    teams = wb["Các tổ"]
    columns = sheet_headers(teams)
    b_row = next(r for r in sheet_lines(teams) if r[0] == "Thôn B")
    b = dict(zip(columns, b_row, strict=True))
    assert (b["Tin báo nhận được"], b["Tin báo còn mở"], b["Tin báo không có cơ sở"]) == (2, 1, 1)
    assert (b["Cán bộ xác nhận kịp thời"], b["Chưa được xác nhận"]) == (1, 1)
    assert b["Vụ cháy, cứu nạn trùng (không tính)"] == 1


async def test_a_long_urgent_list_is_cut_and_says_so(world: World) -> None:
    tally = await tally_of(world)
    labels = labels_for(TEXTS, FORMS, CONFIG, "en")
    data = await tally_files.xlsx_bytes(world.db, tally, labels, CONFIG, 3, role="officer")
    ws = load_workbook(io.BytesIO(data))["Tips and fires"]
    assert sheet_note(ws).startswith("The list is cut: only the first 3")
    assert [row[0] for row in sheet_lines(ws)] == ["BC-t1", "BC-t4", "BC-t2"]
