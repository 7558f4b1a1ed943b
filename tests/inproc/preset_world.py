"""A small commune built through storage, for the golden tallies of the shipped presets.

The config is a real config file selecting a preset (`[movement] preset`) with one override of
its own, read by `load_config`; the tally is the real `compute` over one of the preset's
phases; the workbook and the phase report are the files officers get. The hand-worked
figures are in the test module's docstrings (tests/inproc/test_tally_presets_golden.py).
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
from openpyxl import Workbook, load_workbook

from bot.commend.occasions import of_phase
from bot.core.config import Config, load_config
from bot.core.i18n import Texts
from bot.phasereport.content import choose, gather
from bot.phasereport.files import report_docx
from bot.reports.forms import load_forms
from bot.tally.compute import Tally, UnitTally, compute
from bot.tally.files import xlsx_bytes
from bot.tally.labels import labels_for
from bot.tally.periods import phase
from storage import commendations, incidents, members, reports, supervised, units
from storage.db import Store
from tests.support.workbook import records

FORMS = load_forms(None)
KINDS = [c.key for c in FORMS.categories]
URGENT = [c.key for c in FORMS.categories if c.urgent]
TEXTS = Texts.load()
JOINED = "2024-09-01"  # everyone serves from before either preset's phases


def days(first: str, last: str) -> list[str]:
    """Every day from `first` to `last`, inclusive, as ISO dates."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def write_config(tmp_path: Path, body: str) -> Config:
    """A config file as a commune writes it, read the way the bot reads it."""
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return load_config(path, environ={})


class World:
    """Units, members (by short key), reports, the register and commendations of one commune."""

    def __init__(self, db: Store, config: Config) -> None:
        self.db = db
        self.config = config
        self.ids: dict[str, int] = {}
        self.unit_ids: dict[str, int] = {}
        self.seq = 0

    def _number(self) -> str:
        self.seq += 1
        return f"BC-2024-{self.seq:06d}"

    async def unit(self, path: str, kind: str, households: int | None = None) -> None:
        """A unit (parents first), with its household count where known."""
        async with self.db.transaction() as tx:
            self.unit_ids[path], _ = await units.upsert(tx, path, kind, households, "2024-01-01")

    async def member(self, key: str, path: str, role: str) -> None:
        """A member serving in `path` since JOINED."""
        async with self.db.transaction() as tx:
            self.ids[key] = await members.create(
                tx, self.unit_ids[path], role, f"Người {key}", "vi", f"{JOINED}T08:00:00+07:00"
            )

    async def nil(self, who: str, each_day: list[str]) -> None:
        """A nil report at 20:00 (before the 21:00 deadline) on each of the days."""
        async with self.db.transaction() as tx:
            member = await members.get(tx, self.ids[who])
            assert member is not None
            for day in each_day:
                stamp = f"{day}T20:00:00+07:00"
                await reports.create(
                    tx,
                    number=self._number(),
                    member_id=member.id,
                    unit_id=member.unit_id,
                    kind="nil",
                    report_date=day,
                    data={"date": day},
                    urgent=False,
                    now_iso=stamp,
                    edit_until_iso=stamp,
                )

    async def report(
        self,
        who: str,
        kind: str,
        day: str,
        data: dict[str, Any] | None = None,
        *,
        at: str = "20:00",
        mates: tuple[str, ...] = (),
        ack_after: int | None = None,
        state: str | None = None,
        confirmed_in_time: bool | None = None,
    ) -> int:
        """A report filed at `at` on its day; `ack_after`: minutes until the commune police
        took it up; `confirmed_in_time`: the officer's word on a fire."""
        filed = datetime.fromisoformat(f"{day}T{at}:00+07:00")
        async with self.db.transaction() as tx:
            member = await members.get(tx, self.ids[who])
            assert member is not None
            rid = await reports.create(
                tx,
                number=self._number(),
                member_id=member.id,
                unit_id=member.unit_id,
                kind=kind,
                report_date=day,
                data={"date": day, **(data or {})},
                urgent=kind in URGENT,
                now_iso=filed.isoformat(),
                edit_until_iso=filed.isoformat(),
            )
            await reports.set_participants(tx, rid, [self.ids[m] for m in mates])
            if ack_after is not None or state is not None:
                ack = (filed + timedelta(minutes=ack_after)).isoformat() if ack_after else None
                await tx.execute(
                    "UPDATE reports SET ack_at = ?, state = ? WHERE id = ?", (ack, state, rid)
                )
            if confirmed_in_time is not None:
                await incidents.confirm_fire(
                    tx, rid, self.ids["o"], confirmed_in_time, filed.isoformat()
                )
        return rid

    async def register(self, team: str, code: str, since: str, every: int) -> int:
        """A person put on the team's register (4.5) on `since`, visited every `every` days."""
        async with self.db.transaction() as tx:
            return await supervised.add(
                tx,
                unit_id=self.unit_ids[team],
                code=code,
                full_name=None,
                since=date.fromisoformat(since),
                every=every,
                by=self.ids["o"],
                now_iso=f"{since}T09:00:00+07:00",
            )

    async def reoffence(self, person: int, on: str) -> None:
        """A reoffence the commune police recorded."""
        async with self.db.transaction() as tx:
            await supervised.add_reoffence(
                tx, person, date.fromisoformat(on), self.ids["o"], f"{on}T12:00:00+07:00"
            )

    async def commend(self, team: str, who: str | None) -> None:
        """The officer ticks a team (who None) or a member for the end of the first phase."""
        occasion = of_phase(self.config.tally.phases[0])
        async with self.db.transaction() as tx:
            assert await commendations.tick(
                tx,
                occasion=occasion.code,
                occasion_end=occasion.end.isoformat(),
                unit_id=self.unit_ids[team],
                member_id=self.ids[who] if who else None,
                reason="Gương người tốt, việc tốt",
                by_id=self.ids["o"],
                by_name="Người o",
                at=f"{occasion.end.isoformat()}T16:00:00+07:00",
            )

    async def tally(self, path: str, now: datetime) -> Tally:
        """The real tally of `path` over the preset's first phase."""
        async with self.db.read() as tx:
            unit = await units.get_by_path(tx, path)
            assert unit is not None
            period = phase(1, self.config.tally.phases[0])
            return await compute(tx, unit, period, self.config, KINDS, now, URGENT)

    async def workbook(self, tally: Tally, role: str) -> Workbook:
        """The workbook a reader of `role` gets, opened with openpyxl."""
        labels = labels_for(TEXTS, FORMS, self.config, "vi")
        data = await xlsx_bytes(self.db, tally, labels, self.config, None, role=role)
        return load_workbook(io.BytesIO(data), read_only=True)

    async def workbook_sheets(self, tally: Tally) -> dict[str, list[dict[str, Any]]]:
        """The workbook the commune police get, each sheet's table as dicts by header."""
        book = await self.workbook(tally, "officer")
        return {ws.title: records(ws) for ws in book.worksheets}

    async def workbook_text(self, tally: Tally, role: str) -> str:
        """Every cell of the workbook a reader of `role` gets, as one text."""
        book = await self.workbook(tally, role)
        return "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if v is not None
        )  # fmt: skip

    async def phase_report(self, path: str, now: datetime) -> tuple[list[str], list[list[str]]]:
        """The sơ kết of the first phase as a DOCX: its paragraphs and its tables' rows."""
        async with self.db.read() as tx:
            unit = await units.get_by_path(tx, path)
            assert unit is not None
            chosen = choose(self.config.tally.phases, "p1", now.date(), "Cả phong trào")
            report = await gather(
                tx, unit, chosen, config=self.config, forms=FORMS, texts=TEXTS, locale="vi",
                now=now,
            )  # fmt: skip
        document = docx.Document(io.BytesIO(await report_docx(report, None)))
        rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
        return [p.text for p in document.paragraphs], rows


def by_name(tally: Tally) -> dict[str, UnitTally]:
    """The tally's lines by unit name."""
    return {u.name: u for u in tally.units}
