"""Loading the unit tree from a spreadsheet, which is how a province hands us its organisation.

The file (CSV or XLSX) has a header row with at least `path` and `kind`, optionally
`households`, `phone` and `renamed_from`. The import runs in stages, each in its own module:

- read: the file within the [org_import] limits (size, zip parts, cells);
- check: every row on its own (names, kinds in Vietnamese or English, households, duplicates);
- plan: the rows against the unit tree, read once (parents, creates, updates, renames, drops);
- harm: the changes that need --apply-changes (a unit with units below becoming a team, a
  rename, dropping a unit that is not empty), refused with their lines without it;
- write (and apply, for tree changes): short journaled transactions, undone in short
  transactions if anything fails.

A bad row means nothing from the file is saved; a failure while writing (or a killed
process, found by the next import) is rolled back. Re-importing the same file changes
nothing, so the import can be re-run safely after fixing a mistake.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

from bot.core import dates
from bot.core.clock import Clock, iso
from bot.core.config import OrgImportSection
from bot.core.i18n import Texts
from bot.people.membership import Actor, earliest
from bot.units.orgimport.apply import Dated
from bot.units.orgimport.check import check_rows
from bot.units.orgimport.harm import assess
from bot.units.orgimport.model import (
    ImportObserver,
    ImportResult,
    Interrupted,
    OrgImportError,
    refusal,
)
from bot.units.orgimport.plan import make_plan
from bot.units.orgimport.read import read_table
from bot.units.orgimport.write import TakenOver, Writer
from storage import units
from storage.db import Store

__all__ = [
    "ImportObserver",
    "ImportResult",
    "Interrupted",
    "OrgImportError",
    "import_org",
]

log = logging.getLogger(__name__)


async def import_org(
    db: Store,
    path: Path,
    clock: Clock,
    limits: OrgImportSection | None = None,
    observer: ImportObserver | None = None,
    *,
    apply_changes: bool = False,
    on: date | None = None,
    month_starts_on: int = 1,
    texts: Texts | None = None,
) -> ImportResult:
    """Create or update units from a CSV or XLSX file, all or nothing, without holding the
    database for longer than one short batch at a time.

    Raises OrgImportError naming the file line and the problem for any bad row, a missing
    header column, a parent that is neither in the file nor in the database, a file past a
    limit, another import still running, or a failure while writing (then rolled back).
    A blank `households` cell clears the stored value; when the file has no `households`
    column at all, stored values are kept.

    Harmful changes (see bot.units.orgimport.harm) are refused unless `apply_changes`; every
    tree change holds from `on` (default today), which may be neither in the future nor in a
    tally month already closed (`month_starts_on`), so past tallies keep the old tree.
    """
    path = Path(path)
    now = clock.now()
    today = now.date()
    on = _check_day(path, on or today, today, month_starts_on)
    limits = limits or OrgImportSection()
    observer = observer or ImportObserver()
    await observer.reading(path)
    table = await asyncio.to_thread(read_table, path, limits)
    checked = check_rows(path, table)
    await observer.checked(len(checked.rows))

    writer = Writer(db, clock, limits.batch_rows, observer)
    import_id = await writer.claim(path.name)
    try:
        async with db.read() as tx:
            tree = await units.snapshot(tx)
            last_id = await units.last_id(tx)
            plan = make_plan(path, checked, tree, last_id)
            await assess(tx, path, plan, on, iso(now), apply_changes)
    except BaseException:
        await writer.release(import_id)
        raise
    try:
        await observer.planned(len(plan.creates), len(plan.updates), plan.unchanged)
        when = Dated(on, today, iso(now), month_starts_on, Actor.command_line())
        await writer.write(import_id, plan, when, texts or Texts.load(), path.name)
    except TakenOver as exc:
        raise refusal(path, None, str(exc)) from exc
    except BaseException as exc:
        await _roll_back(writer, path, import_id, exc)
        raise
    log.info(
        "org import done",
        extra={
            "import_id": import_id,
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged,
        },
    )
    return ImportResult(
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        closed=tuple(c.path for c in plan.closes),
        renamed=tuple((m.prev_path, m.path) for m in plan.renames),
        reopened=tuple(r.path for r in plan.reopens),
        left=len(plan.leaves),
    )


def _check_day(path: Path, on: date, today: date, month_starts_on: int) -> date:
    """The day tree changes hold from: not in the future, not in a closed tally month."""
    if on > today:
        raise refusal(
            path, None, f"--on {dates.day(on)} is in the future; give today or an earlier day"
        )
    first = earliest(today, month_starts_on)
    if on < first:
        raise refusal(
            path,
            None,
            f"--on {dates.day(on)} is in a tally month already closed; give {dates.day(first)}"
            " or later (a tally sent up the chain never changes)",
        )
    return on


async def _roll_back(writer: Writer, path: Path, import_id: int, cause: BaseException) -> None:
    """Undo what a failed import wrote, then explain; a cancellation (Ctrl-C) is re-raised
    as it is once the rollback is done."""
    log.info(
        "org import failed, rolling back",
        extra={"import_id": import_id, "error": type(cause).__name__},
    )
    try:
        kept = await writer.undo(import_id)
    except Exception as exc:
        raise refusal(
            path,
            None,
            f"the import failed ({_reason(cause)}) and so did its rollback ({_reason(exc)});"
            " run 'antt-bot org import' again: it finishes the rollback before importing",
        ) from exc
    if not isinstance(cause, Exception):
        return
    note = f"; {_kept(kept)}" if kept else ""
    error = refusal(
        path,
        None,
        f"the import failed while writing ({_reason(cause)}); what it wrote has been"
        f" rolled back{note}",
    )
    error.kept = kept
    raise error from cause


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _kept(kept: int) -> str:
    """Said when a rollback could not delete units because something now refers to them."""
    return (
        f"{kept} unit(s) it created were kept because members, invites or reports now refer to them"
    )
