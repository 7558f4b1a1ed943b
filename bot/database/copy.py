"""`antt-bot db copy --from A --to B`: copy a database (a province's SQLite file) into
another (the national PostgreSQL one), so provinces start small and join later.

What is copied and what is left, table by table: bot/database/copy_tables.py. How:
- One transaction on the target, reading one snapshot of the source: the copy is all or
  nothing, and the target's tally version moves with it (its triggers).
- Units are matched by path: a unit the target has is the same unit (its parent must be the
  source's parent too, else the copy stops before writing anything); the others are new.
  Every other row is new, with a new id, every reference rewritten through the map.
- The map is kept in the target (copied_rows, by the source's own id, storage/copying.py): a
  second copy brings only rows not copied yet (reports filed since) and changes nothing else.
- Conflicts: a report number the target has is replaced by the target's next one (the old
  one kept in the report's audit, "renumbered"); the counters are set past every number of
  the source first, so a number kept never comes out of the target's counter again. An
  identity, invite, link code, open dialog or register entry the target already has is
  refused with the reason; a commendation, phase-report mark or target override the target
  has keeps the target's. A queued message whose buttons carry the source's ids is copied
  cancelled, a duplicate outbox key gets a suffix. Nothing is dropped without a line in the
  summary.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from bot.database import copy_remap
from bot.database.copy_summary import Summary, Tally
from bot.database.copy_tables import TABLES, TRANSIENT, Table
from bot.reports.forms import Forms
from storage import copying, reports
from storage.db import Store, Tx

CHUNK = 2000


class _NoTx(Tx):
    """Where the copy writes outside a transaction: nowhere (a bug, raised)."""


_NO_TX = _NoTx()


class CopyRefused(Exception):
    """The copy cannot start or must stop; the message says what to do."""


class Copier:
    """One copy: the maps, the source snapshot and the target transaction."""

    def __init__(
        self, src: Tx, target: Store | Tx, source_id: str, fields: dict[str, list[str]], now: str
    ):
        self.src, self.target, self.source_id, self.fields, self.now = (
            src,
            target,
            source_id,
            fields,
            now,
        )
        self.dst: Tx = target if isinstance(target, Tx) else _NO_TX
        self.maps: dict[str, dict[str, str]] = {}
        self.matched_units: set[str] = set()
        self.kinds: dict[str, str] = {}
        self._members_here: set[str] | None = None
        self.summary = Summary()

    def _turn(self) -> contextlib.AbstractAsyncContextManager[Tx]:
        """The target transaction to write in: the whole copy's, or (in chunks) a new one
        per chunk, each committing its rows with their lines in copied_rows."""
        if isinstance(self.target, Tx):
            return contextlib.nullcontext(self.target)
        return self.target.transaction()

    async def run(self, target_id: str) -> Summary:
        """Copy every table in order, units and the counters first."""
        async with self._turn() as self.dst:
            self.maps = await copying.copied(self.dst, self.source_id)
            home = await copying.copied_back(self.src, target_id)
            for name, pairs in home.items():  # rows that came from the target go home
                self.maps.setdefault(name, {}).update(pairs)
            await self._units()
            await self._counters()
        for table in TABLES:
            await self._table(table)
        for name in TRANSIENT:
            self.summary.transient[name] = await copying.count(self.src, name)
        return self.summary

    async def _units(self) -> None:
        tally = self.summary.tables.setdefault("units", Tally())
        there = await copying.units_by_path(self.dst)
        rows = await copying.chunk(self.src, "units", ("id",), "", (), 10**9)
        paths = {str(r["id"]): str(r["path"]) for r in rows}
        known = self.maps.setdefault("units", {})
        for row in sorted(rows, key=lambda r: str(r["path"]).count("/")):
            old = str(row["id"])
            parent = None if row["parent_id"] is None else known.get(str(row["parent_id"]))
            match = there.get(str(row["path"]))
            if old in known:
                tally.already += 1
            elif match is not None:
                if (None if match[1] is None else str(match[1])) != parent:
                    parent_path = paths.get(str(row["parent_id"]), "(none)")
                    raise CopyRefused(
                        f"unit {row['path']} is under {parent_path} in the source but"
                        " elsewhere in the target: move it to the same place in one of them"
                        " (antt-bot org), then copy again"
                    )
                known[old] = str(match[0])
                self.matched_units.add(old)
                tally.already += 1
            else:
                row["parent_id"] = None if parent is None else int(parent)
                (new_id,) = await copying.reserve_ids(self.dst, "units", 1)
                known[old] = str(new_id)
                row["id"] = new_id
                await copying.insert_rows(self.dst, "units", list(row), [list(row.values())])
                await copying.remember(
                    self.dst, self.source_id, "units", [(old, str(new_id))], self.now
                )
                tally.copied += 1

    async def _counters(self) -> None:
        rows = await copying.chunk(
            self.src, "counters", ("name",), copying.REPORT_COUNTERS, (), 10**6
        )
        for row in rows:
            await copying.counter_at_least(self.dst, str(row["name"]), int(row["value"]))

    async def _table(self, table: Table) -> None:
        tally = self.summary.tables.setdefault(table.name, Tally())
        if table.where:
            total = await copying.count(self.src, table.name)
            tally.left = total - await copying.count(self.src, table.name, table.where)
            tally.left_reason = table.left_reason
        known = self.maps.setdefault(table.name, {})
        after: tuple[Any, ...] = ()
        written: list[str] = []
        while rows := await copying.chunk(
            self.src, table.name, table.key, table.where, after, CHUNK
        ):
            after = tuple(rows[-1][c] for c in table.key)
            async with self._turn() as self.dst:
                fresh: list[tuple[str, dict[str, Any]]] = []
                for row in rows:
                    old = "|".join(str(row[c]) for c in table.key)
                    if table.name == "reports":
                        self.kinds[old] = str(row["kind"])
                    if old in known:
                        tally.already += 1
                        continue
                    ready = await self._prepare(table, row, tally)
                    if ready is not None:
                        fresh.append((old, ready))
                await self._write(table, fresh, tally)
            written.extend(old for old, _ in fresh)
        for col, ref in table.later.items():
            async with self._turn() as self.dst:
                await self._later(table.name, col, ref, written)

    async def _prepare(
        self, table: Table, row: dict[str, Any], tally: Tally
    ) -> dict[str, Any] | None:
        """The row as the target will hold it, or None (refused or the target's kept)."""
        if table.name == "unit_history" and str(row["unit_id"]) in self.matched_units:
            tally.left += 1
            tally.left_reason = table.left_reason
            return None
        self._rewrite_text(table.name, row)
        for col, ref in table.refs.items():
            value = row.get(col)
            if value is None:
                continue
            new = self.maps.get(ref, {}).get(str(value))
            if new is None:
                reason = f"its {col} points at a {ref} row that was not copied"
                tally.refused[reason] = tally.refused.get(reason, 0) + 1
                return None
            row[col] = int(new)
        for col in table.later:
            row[col] = None
        if table.unique and not (table.name == "supervised" and row["until_on"] is not None):
            clash = await copying.present(
                self.dst, table.name, table.unique, [row[c] for c in table.unique]
            )
            if clash is not None:
                if table.conflict == "keep":
                    tally.kept_target += 1
                    return None
                tally.refused[table.conflict_reason] = (
                    tally.refused.get(table.conflict_reason, 0) + 1
                )
                return None
        if table.name == "outbox":
            await self._outbox(row, tally)
        if table.name == "conversations" and not await self._chat_is_ours(row):
            reason = "the chat belongs to another member in the target (its identity was refused)"
            tally.refused[reason] = tally.refused.get(reason, 0) + 1
            return None
        return row

    async def _chat_is_ours(self, row: dict[str, Any]) -> bool:
        """Whether a dialog's chat is, in the target, a copied member's (or nobody's)."""
        link = await copying.present(
            self.dst, "identities", ("channel", "chat_id"), [row["channel"], row["chat_id"]]
        )
        if link is None:
            return True
        return str(link["member_id"]) in self._copied_members()

    def _copied_members(self) -> set[str]:
        if self._members_here is None:  # conversations come last: the members are all in
            self._members_here = set(self.maps.get("members", {}).values())
        return self._members_here

    def _rewrite_text(self, name: str, row: dict[str, Any]) -> None:
        if name == "reports":
            keys = self.fields.get(str(row["kind"]), [])
            row["data"] = copy_remap.answers_text(row["data"], keys, self.maps)
        elif name == "report_audit":
            keys = self.fields.get(self.kinds.get(str(row["report_id"]), ""), [])
            row["before"] = copy_remap.answers_text(row["before"], keys, self.maps)
            row["after"] = copy_remap.answers_text(row["after"], keys, self.maps)
        elif name == "audit_trail":
            row["subject_id"] = copy_remap.subject_id(
                str(row["subject"]), str(row["subject_id"]), self.maps
            )
        elif name == "conversations":
            row["state"] = copy_remap.dialog(str(row["state"]), self.fields, self.maps)

    async def _outbox(self, row: dict[str, Any], tally: Tally) -> None:
        if row["status"] == "sending":
            row["status"] = "pending"  # claimed by the source's sender, never marked
        if row["status"] == "pending" and json.loads(str(row["payload"])).get("choices"):
            row["status"] = "cancelled"
            row["last_error"] = "copied from another database: its buttons carry that one's ids"
            tally.cancelled += 1
        if await copying.taken(self.dst, "outbox", "dedupe_key", [row["dedupe_key"]]):
            row["dedupe_key"] = f"{row['dedupe_key']}#copy:{self.source_id[:8]}"

    async def _write(
        self, table: Table, fresh: list[tuple[str, dict[str, Any]]], tally: Tally
    ) -> None:
        if not fresh:
            return
        known = self.maps[table.name]
        renumber: list[tuple[int, str, str]] = []
        if table.has_id:
            ids = await copying.reserve_ids(self.dst, table.name, len(fresh))
            for (old, row), new_id in zip(fresh, ids, strict=True):
                row["id"] = new_id
                known[old] = str(new_id)
        else:
            for old, row in fresh:
                known[old] = "|".join(str(row[c]) for c in table.key)
        if table.name == "reports":
            renumber = await self._renumber([row for _, row in fresh])
        columns = list(fresh[0][1])
        await copying.insert_rows(
            self.dst, table.name, columns, [[r[c] for c in columns] for _, r in fresh]
        )
        await copying.remember(
            self.dst, self.source_id, table.name, [(o, known[o]) for o, _ in fresh], self.now
        )
        tally.copied += len(fresh)
        tally.renumbered += len(renumber)
        for report_id, was, now in renumber:
            member = next(r["member_id"] for _, r in fresh if r["id"] == report_id)
            await reports.audit(
                self.dst,
                report_id,
                member,
                "renumbered",
                {"number": was},
                {"number": now},
                self.now,
            )

    async def _renumber(self, rows: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
        """Give the target's next number to a report whose number the target has."""
        clash = await copying.taken(self.dst, "reports", "number", [r["number"] for r in rows])
        changed: list[tuple[int, str, str]] = []
        for row in rows:
            if str(row["number"]) in clash:
                was = str(row["number"])
                year = (
                    int(was.split("-")[1])
                    if was.count("-") == 2
                    else int(str(row["report_date"])[:4])
                )
                row["number"] = await reports.next_number(self.dst, year)
                changed.append((int(row["id"]), was, str(row["number"])))
        return changed

    async def _later(self, name: str, col: str, ref: str, olds: list[str]) -> None:
        wanted = set(olds)
        pairs: list[tuple[Any, int]] = []
        after: tuple[Any, ...] = ()
        while rows := await copying.chunk(
            self.src, name, ("id",), copying.not_null(col), after, CHUNK
        ):
            after = (rows[-1]["id"],)
            for row in rows:
                new = self.maps.get(ref, {}).get(str(row[col]))
                if str(row["id"]) in wanted and new is not None:
                    pairs.append((int(new), int(self.maps[name][str(row["id"])])))
        await copying.set_column(self.dst, name, col, pairs)


async def copy_database(
    source: Store, target: Store, forms: Forms, now_iso: str, *, in_chunks: bool = False
) -> Summary:
    """Copy `source` into `target` (both open); a second run brings only what is new.

    The target is migrated first; the source must be migrated already (it is only read,
    apart from its identity, made at its first copy). One transaction on the target, or
    with `in_chunks` one per chunk of rows (the target's other writers go on between them;
    a copy stopped half-way is finished by the next run)."""
    pending = [name for name, at in await source.migration_status() if at is None]
    if pending:
        raise CopyRefused(
            f"the source has {len(pending)} migration(s) not applied (first: {pending[0]}):"
            " run `antt-bot db migrate` on it (ANTT_DATABASE_URL=<the source>), then copy again"
        )
    await target.migrate()
    async with source.read() as tx:
        source_id = await copying.known_identity(tx)
    if source_id is None:
        async with source.transaction() as tx:
            source_id = await copying.identity(tx, now_iso)
    async with target.transaction() as tx:
        target_id = await copying.identity(tx, now_iso)
    if source_id == target_id:
        raise CopyRefused(
            "the source and the target are the same database (or one was cloned from the"
            " other after a copy): nothing to copy"
        )
    fields = copy_remap.team_fields(forms)
    async with source.read() as src:
        if in_chunks:
            return await Copier(src, target, source_id, fields, now_iso).run(target_id)
        async with target.transaction() as dst:
            return await Copier(src, dst, source_id, fields, now_iso).run(target_id)
