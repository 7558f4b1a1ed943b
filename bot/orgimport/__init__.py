"""Loading the unit tree from a spreadsheet, which is how a province hands us its organisation.

The file (CSV or XLSX) has a header row with at least `path` and `kind`, optionally
`households`. It is read within the [org_import] limits (`read`), every row is checked on its
own (`check`), and the whole file is applied in one transaction: a bad row means nothing
from the file is saved. Re-importing the same file changes nothing, so the import can be
re-run safely after fixing a mistake.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.clock import Clock, iso
from bot.config import OrgImportSection
from bot.orgimport.check import check_rows
from bot.orgimport.model import ImportResult, OrgImportError, refusal
from bot.orgimport.read import read_table
from storage import units
from storage.db import Database

__all__ = ["ImportResult", "OrgImportError", "import_org"]


async def import_org(
    db: Database, path: Path, clock: Clock, limits: OrgImportSection | None = None
) -> ImportResult:
    """Create or update units from a CSV or XLSX file, all or nothing.

    Raises OrgImportError naming the file line and the problem for any bad row, a missing
    header column, a parent that is neither in the file nor in the database, a file past a
    limit, or an unsupported file type. A blank `households` cell clears the stored value;
    when the file has no `households` column at all, stored values are kept.
    """
    path = Path(path)
    table = await asyncio.to_thread(read_table, path, limits or OrgImportSection())
    checked = check_rows(path, table)
    rows = checked.rows
    now_iso = iso(clock.now())
    created = updated = unchanged = 0
    async with db.transaction() as tx:
        listed = {row.path for row in rows}
        for row in rows:
            parent = units.parent_path(row.path)
            if parent is None or parent in listed:
                continue
            if await units.get_by_path(tx, parent) is None:
                raise refusal(
                    path,
                    row.line,
                    f"parent unit {parent!r} of {row.path!r} is missing; add a row for it"
                    " or import it first",
                )
        # Parents before children, whatever order the file lists them in.
        for row in sorted(rows, key=lambda r: (r.path.count(units.SEPARATOR), r.line)):
            existing = await units.get_by_path(tx, row.path)
            households = row.households
            if not checked.has_households and existing is not None:
                households = existing["households"]
            try:
                _, changed = await units.upsert(tx, row.path, row.kind, households, now_iso)
            except LookupError as exc:  # pragma: no cover - ruled out by the check above
                raise refusal(path, row.line, str(exc)) from exc
            if existing is None:
                created += 1
            elif changed:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
