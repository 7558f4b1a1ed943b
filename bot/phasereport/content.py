"""What a phase report says: the phase, its tally, the best teams, good deeds, urgent reports.

The plans ask each unit, at the end of a phase, to "chủ động đánh giá kết quả đạt được, kịp
thời biểu dương, khen thưởng … Báo cáo kết quả thực hiện" (KH phát động phong trào thi đua
đặc biệt, BCĐ 138 huyện Bắc Sơn, 10/2024). This module gathers those facts once; the DOCX
writer (docx_file.py) only lays them out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.core.config import Config, Phase
from bot.core.i18n import Texts
from bot.core.parsing import fold
from bot.reports.forms import Forms
from bot.tally.compute import UnitTally
from bot.tally.periods import Period
from bot.tally.prepared import Prepared, prepare
from bot.tally.urgent_list import UrgentReport, urgent_reports
from storage import phase_reports
from storage.db import Tx
from storage.units import Unit

Kind = Literal["so_ket", "tong_ket"]
ALL = "all"  # the code of the whole movement (every configured phase): a "tổng kết"
BEST_TEAMS = 5
GOOD_DEEDS_LIMIT = 200  # good deeds listed (and photos embedded) in one report
URGENT_LIMIT = 500


class NoPhase(LookupError):
    """The phase asked for is not configured, or has not started yet."""


@dataclass(frozen=True)
class Chosen:
    """The span a report covers: one phase (sơ kết) or the whole movement (tổng kết)."""

    kind: Kind
    code: str  # "p<n>" (1-based position in [tally] phases) or ALL
    phases: tuple[Phase, ...]
    period: Period


@dataclass(frozen=True)
class GoodDeed:
    """One good deed as the report lists it, with its photos' references."""

    number: str
    day: date
    unit_name: str
    reporter: str
    what: str
    for_whom: str
    photos: tuple[str, ...]  # "file:<path>" (stored here) or "tg:<file_id>" (on Telegram)


@dataclass(frozen=True)
class PhaseReport:
    """Everything the DOCX says, computed for one unit and one span."""

    chosen: Chosen
    unit: Unit
    ready: Prepared
    best: list[UnitTally]
    good_deeds: list[GoodDeed]
    good_deeds_cut: bool
    urgent: list[UrgentReport]
    urgent_cut: bool
    made_at: datetime


def started(phases: list[Phase], today: date) -> list[tuple[int, Phase]]:
    """The configured phases (with their 1-based position) that have begun: a report may be
    drafted for a phase that has ended or is running, never for one still to come."""
    return [(i, p) for i, p in enumerate(phases, 1) if p.start <= today]


def choose(phases: list[Phase], code: str, today: date, whole_name: str) -> Chosen:
    """The span a code names ('p2', or ALL for every phase); NoPhase when it names none that
    has started."""
    begun = started(phases, today)
    if code == ALL:
        if not begun:
            raise NoPhase(code)
        span = tuple(phases)
        start = min(p.start for p in span)
        end = max(p.end for p in span)
        return Chosen("tong_ket", ALL, span, Period("phase", start, end, "pall", whole_name))
    for index, phase in begun:
        if code == f"p{index}":
            period = Period("phase", phase.start, phase.end, code, phase.name)
            return Chosen("so_ket", code, (phase,), period)
    raise NoPhase(code)


def code_for_name(phases: list[Phase], name: str) -> str | None:
    """A phase's code from its name as typed (case and diacritics ignored); None if unknown."""
    wanted = fold(name).strip()
    for index, phase in enumerate(phases, 1):
        if fold(phase.name).strip() == wanted:
            return f"p{index}"
    return None


def _text(value: object) -> str:
    """A stored answer as plain text (a typed place is {'text': ...})."""
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return "" if value is None else str(value)


def _photos(data: dict[str, object]) -> tuple[str, ...]:
    """Every photo reference in a report's answers, whatever its field is called."""
    refs: list[str] = []
    for value in data.values():
        if isinstance(value, list):
            refs += [v for v in value if isinstance(v, str) and v.startswith(("file:", "tg:"))]
    return tuple(refs)


async def good_deeds(
    tx: Tx, ready: Prepared, limit: int = GOOD_DEEDS_LIMIT
) -> tuple[list[GoodDeed], bool]:
    """The period's good deeds under the report's unit, oldest first; True when cut short."""
    tally = ready.tally
    kind = ready.config.tally.sources.good_deed_kind
    start, end = tally.period.start.isoformat(), tally.period.end.isoformat()
    then = tally.names_then()
    rows = []
    for path in tally.query_paths:
        found = await phase_reports.reports_of_kind(tx, path, start, end, kind, limit + 1)
        rows += [r for r in found if int(r["unit_id"]) in then]
    rows.sort(key=lambda r: (str(r["report_date"]), str(r["number"])))
    deeds = []
    for r in rows[:limit]:
        data = json.loads(str(r["data"]))
        deeds.append(
            GoodDeed(
                number=str(r["number"]),
                day=date.fromisoformat(str(r["report_date"])),
                unit_name=then[int(r["unit_id"])][0],
                reporter=str(r["reporter"]),
                what=_text(data.get("what")),
                for_whom=_text(data.get("for_whom")),
                photos=_photos(data),
            )
        )
    return deeds, len(rows) > limit


async def gather(
    tx: Tx,
    unit: Unit,
    chosen: Chosen,
    *,
    config: Config,
    forms: Forms,
    texts: Texts,
    locale: str,
    now: datetime,
) -> PhaseReport:
    """Compute the unit's tally for the span and collect what the report lists."""
    ready = await prepare(
        tx, unit, chosen.period, config=config, forms=forms, texts=texts, locale=locale, now=now
    )
    best = [t for t in ready.tally.ranked() if t.figures.members][:BEST_TEAMS]
    deeds, deeds_cut = await good_deeds(tx, ready)
    urgent, urgent_cut = await urgent_reports(tx, ready.tally, config, forms, URGENT_LIMIT)
    return PhaseReport(
        chosen=chosen,
        unit=unit,
        ready=ready,
        best=best,
        good_deeds=deeds,
        good_deeds_cut=deeds_cut,
        urgent=urgent,
        urgent_cut=urgent_cut,
        made_at=now,
    )
