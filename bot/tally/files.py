"""The files a tally is handed on as (XLSX, CSV, PNG), built off the event loop.

Chat replies attach them lazily (bot.core.model.Attachment), so they are built after the update's
transaction has committed; the CLI calls the same functions directly.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from typing import Any

from bot.core import dates
from bot.core.config import Config
from bot.core.ids import parse_id
from bot.core.model import Attachment
from bot.core.parsing import fold
from bot.reports.forms import Forms
from bot.tally.compute import RawReport, Tally
from bot.tally.labels import Labels
from bot.tally.members import member_lines
from bot.tally.periods import CUT
from bot.tally.privacy import private_kinds, shows_details, withheld
from bot.tally.render.csv_file import CsvStyle, csv_name, team_csv
from bot.tally.render.xlsx import workbook
from bot.tally.scope import make_scope
from bot.tally.urgent_list import urgent_reports
from storage import members
from storage import tally as queries
from storage.db import Row, Store, Tx

FORMATS = ("text", "xlsx", "csv", "png")


def file_stem(tally: Tally) -> str:
    """An ASCII file name naming the unit and the period, e.g. 'thongke_xa-bac-son_m2026-11'
    ('..._m2026-11-den-20261122' for a month up to a day)."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(tally.root.name)).strip("-") or "don-vi"
    return f"thongke_{name}_{tally.period.code.replace(CUT, '-den-')}"


def raw_report(row: Row, then: dict[int, tuple[str, str]] | None = None) -> RawReport:
    """One stored report as the raw sheet lists it, times in local time without offset, its
    unit named as it was in the tally's period (`then`, from `Tally.names_then`)."""
    filed = dates.stored_local(row["created_at"])
    assert filed is not None
    data: dict[str, Any] = json.loads(str(row["data"]))
    unit_name, unit_path = (then or {}).get(
        int(row["unit_id"]), (str(row["unit_name"]), str(row["unit_path"]))
    )
    return RawReport(
        number=str(row["number"]),
        report_date=date.fromisoformat(str(row["report_date"])),
        filed_at=filed,
        unit_name=unit_name,
        unit_path=unit_path,
        reporter=str(row["reporter"]),
        kind=str(row["kind"]),
        late=bool(row["late"]),
        acknowledged_at=dates.stored_local(row["ack_at"]),
        data=data,
    )


def urgent_kinds(forms: Forms) -> tuple[str, ...]:
    """The report kinds that are never late (tips, fires), as every tally query takes them."""
    return tuple(c.key for c in forms.categories if c.urgent)


def team_fields(forms: Forms) -> dict[str, list[str]]:
    """Per report kind, the fields whose answers are member ids (team-mates picked from the
    reporter's team), which the raw sheet shows as names."""
    fields: dict[str, list[str]] = {}
    for category in forms.categories:
        keys = [
            f.key for f in category.fields if f.type == "multi_choice" and f.choices_from == "team"
        ]
        if keys:
            fields[category.key] = keys
    return fields


def _member_id(value: object) -> int | None:
    """A stored team-mate answer as a member id (ints today; digit strings tolerated)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return parse_id(value)
    return None


async def _with_names(tx: Tx, raw: list[RawReport], forms: Forms) -> list[RawReport]:
    """The reports with team-mate ids replaced by full names ('#12' for an unknown id)."""
    fields = team_fields(forms)
    ids: set[int] = set()
    for r in raw:
        for key in fields.get(r.kind, ()):
            value = r.data.get(key)
            if isinstance(value, list):
                ids.update(i for i in map(_member_id, value) if i is not None)
    if not ids:
        return raw
    names = await members.names_of(tx, ids)

    def name(value: object) -> object:
        """One answer as a name; anything that is not a member id stays as it was."""
        member = _member_id(value)
        return value if member is None else names.get(member, f"#{member}")

    named = []
    for r in raw:
        keys = [k for k in fields.get(r.kind, ()) if isinstance(r.data.get(k), list)]
        if keys:
            data = dict(r.data)
            for key in keys:
                value = data[key]
                assert isinstance(value, list)
                data[key] = [name(v) for v in value]
            r = replace(r, data=data)
        named.append(r)
    return named


async def raw_reports(
    tx: Tx,
    tally: Tally,
    config: Config,
    limit: int | None,
    *,
    forms: Forms | None = None,
    role: str | None = None,
) -> tuple[list[RawReport], bool]:
    """The period's reports under the tally's unit; True when `limit` cut the list short.

    With `forms`, team-mate answers (stored as member ids) come back as the members' names
    and reports of its urgent kinds are never marked late. The answers of tips and
    reintegration visits come only for a `role` in `[tally] details_roles` (bot/tally/privacy).
    """
    rc = config.reports
    urgent = [c.key for c in forms.categories if c.urgent] if forms is not None else []
    scope = make_scope(
        tally.query_path, tally.period, tally.generated_at, rc.deadline, rc.day_ends_at, urgent
    )
    then = tally.names_then()
    rows = await queries.raw_reports(tx, scope, None if limit is None else limit + 1)
    if tally.moved_paths:  # units moved out of the subtree since: their reports too
        for path in tally.moved_paths:
            more = await queries.raw_reports(tx, replace(scope, path=path), None)
            rows += [r for r in more if int(r["unit_id"]) in then]
        rows.sort(key=lambda r: (str(r["report_date"]), str(r["created_at"])))
    truncated = limit is not None and len(rows) > limit
    raw = [raw_report(r, then) for r in rows[:limit]]
    if not shows_details(config, role):
        hidden = private_kinds(config)
        raw = [replace(r, data=withheld(r.kind, r.data, hidden)) for r in raw]
    if forms is not None:
        raw = await _with_names(tx, raw, forms)
    return raw, truncated


async def xlsx_bytes(
    db: Store,
    tally: Tally,
    labels: Labels,
    config: Config,
    limit: int | None,
    *,
    role: str | None = None,
    team_limit: int | None = None,
) -> bytes:
    """The workbook: a sheet per level, each member's line, the tips and fires with their
    life, and the raw reports (each list at most `limit` rows), built in a worker thread;
    made for a reader of `role`, without the answers of tips and visits unless it may read
    them (privacy.py). Over `team_limit` teams (a chat file), no team or member sheet."""
    levels_only = team_limit is not None and len(tally.teams) > team_limit
    async with db.read(replica=True) as tx:
        raw, truncated = await raw_reports(tx, tally, config, limit, forms=labels.forms, role=role)
        urgent, urgent_cut = await urgent_reports(tx, tally, config, labels.forms, limit, role=role)
        kinds = urgent_kinds(labels.forms)
        members = None if levels_only else await member_lines(tx, tally, config, kinds)
    return await asyncio.to_thread(
        workbook,
        tally,
        raw,
        labels,
        raw_truncated=truncated,
        urgent=urgent,
        urgent_truncated=urgent_cut,
        members=members,
        teams_sheet=not levels_only,
    )


async def chat_xlsx_bytes(
    db: Store, tally: Tally, labels: Labels, config: Config, *, role: str | None = None
) -> bytes:
    """The workbook as a chat sends it (/thongke, the monthly tally): at most `[tally]
    raw_rows_limit` reports and, over `file_team_limit` teams, the levels above the teams
    only; the web and the command line call `xlsx_bytes` for every row."""
    tally_config = config.tally
    return await xlsx_bytes(
        db,
        tally,
        labels,
        config,
        tally_config.raw_rows_limit,
        role=role,
        team_limit=tally_config.file_team_limit,
    )


async def csv_bytes(tally: Tally, labels: Labels, style: CsvStyle = "standard") -> bytes:
    """The team rows as CSV, comma or Vietnamese-Excel style (render/csv_file.py)."""
    return team_csv(tally, labels, style)


async def png_bytes(tally: Tally, labels: Labels) -> bytes:
    """The chart, drawn in a worker thread (matplotlib takes a moment).

    The chart module is imported here, not at the top: matplotlib costs some 0.4 s and 30 MB,
    which the bot should pay on its first chart rather than at every start.
    """

    def draw() -> bytes:
        """Import the chart module (once, in the worker, so the first import does not stall
        the event loop) and draw."""
        from bot.tally.render.chart import chart_png

        return chart_png(tally, labels)

    return await asyncio.to_thread(draw)


WholeTally = Callable[[], Awaitable[Tally]]


def whole_once(make: WholeTally) -> WholeTally:
    """`make`, awaited at most once however many files ask: a tally without team lines
    (bot/tally/levels.py) is shown at once and computed whole only for the files."""
    made: list[Tally] = []
    lock = asyncio.Lock()

    async def whole() -> Tally:
        """The whole tally, computed by the first file that needs it."""
        async with lock:
            if not made:
                made.append(await make())
        return made[0]

    return whole


def _as_given(tally: Tally) -> WholeTally:
    """A `WholeTally` of a tally that has its team lines already."""

    async def given() -> Tally:
        """The tally itself."""
        return tally

    return given


def csv_attachment(
    tally: Tally,
    labels: Labels,
    style: CsvStyle,
    failed_text: str,
    whole: WholeTally | None = None,
) -> Attachment:
    """The team rows as a CSV file of the given style, built only when the channel sends it;
    `whole`: where the team lines come from when `tally` has none."""
    source = whole or _as_given(tally)

    async def csv() -> bytes:
        """The team rows."""
        return await csv_bytes(await source(), labels, style)

    return Attachment(csv_name(file_stem(tally), style), "document", csv, failed_text=failed_text)


def attachments(
    db: Store,
    tally: Tally,
    labels: Labels,
    config: Config,
    failed_text: str,
    *,
    role: str | None = None,
    whole: WholeTally | None = None,
) -> list[Attachment]:
    """The three files of a chat reply, built only when the channel sends them, for a reader
    of `role` (bot/tally/privacy); the CSV in the configured style. `whole`: where the
    workbook and the CSV get team lines when `tally` has none (the chart draws levels)."""
    stem = file_stem(tally)
    source = whole or _as_given(tally)

    async def xlsx() -> bytes:
        """The workbook as chat files hold it."""
        return await chat_xlsx_bytes(db, await source(), labels, config, role=role)

    async def png() -> bytes:
        """The chart."""
        return await png_bytes(tally, labels)

    return [
        Attachment(f"{stem}.png", "photo", png, failed_text=failed_text),
        Attachment(f"{stem}.xlsx", "document", xlsx, failed_text=failed_text),
        csv_attachment(tally, labels, config.tally.csv_style, failed_text, source),
    ]
