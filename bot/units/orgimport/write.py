"""Writing an import in short transactions, journaled so it can be undone: all or nothing
for the operator, while the running bot (another process on the same SQLite file, with a
5-second busy timeout) gets the database between every two batches.

Each batch transaction writes at most `batch_rows` changes together with the journal notes
that undo them and a heartbeat. After each batch the writer pauses as long as the batch
took, so the bot's waiting writers find the lock free at least half of the time (SQLite
gives a released lock to no one in particular; without a pause the importer takes it back
before a waiting process has polled). If anything fails, the journal is played backwards in
short transactions as well. An import whose process was killed is still marked running; the
next import finds it, sees its process is gone, and rolls it back before it starts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core import dates
from bot.core.clock import Clock, iso
from bot.core.i18n import Texts
from bot.people import membership
from bot.units.orgimport import apply
from bot.units.orgimport.apply import Dated
from bot.units.orgimport.model import ImportObserver, Interrupted, OrgImportError
from bot.units.orgimport.plan import Close, Leave, Move, Plan, Reopen, Update
from storage import orgimports, unitchanges, units
from storage.db import Row, Store, Tx
from storage.orgimports import Change
from storage.units import NewUnit

log = logging.getLogger(__name__)

# A live import beats with every batch (milliseconds apart). One silent this long is taken
# for dead when its process cannot be checked (another host, or its pid was reused).
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Owner:
    """The process an import belongs to, to tell a live import from a killed one."""

    host: str
    pid: int

    @classmethod
    def this_process(cls) -> Owner:
        """This process, as recorded on the imports it starts."""
        return cls(socket.gethostname(), os.getpid())


class TakenOver(OrgImportError):
    """Another process judged this import dead and is rolling it back."""


class Writer:
    """Claims the single import slot, writes and undoes changes in batches."""

    def __init__(
        self,
        db: Store,
        clock: Clock,
        batch_rows: int,
        observer: ImportObserver,
        owner: Owner | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.batch_rows = batch_rows
        self.observer = observer
        self.owner = owner or Owner.this_process()

    async def claim(self, file_name: str) -> int:
        """Start an import, after rolling back one that was interrupted; raises
        OrgImportError when another import is running."""
        while True:
            now = self.clock.now()
            async with self.db.transaction() as tx:
                row = await orgimports.running(tx)
                if row is None:
                    return await orgimports.start(
                        tx, file_name, self.owner.host, self.owner.pid, iso(now)
                    )
                if self._alive(row, now):
                    raise OrgImportError(_busy(row, file_name))
                await orgimports.take_over(
                    tx, int(row["id"]), self.owner.host, self.owner.pid, iso(now)
                )
                interrupted = Interrupted(
                    import_id=int(row["id"]),
                    file=str(row["file"]),
                    started_at=str(row["started_at"]),
                    pending=await orgimports.pending_changes(tx, int(row["id"])),
                )
            log.info("interrupted org import found", extra={"import_id": row["id"]})
            await self.observer.recovering(interrupted)
            try:
                kept = await self.undo(interrupted.import_id)
            except Exception as exc:
                raise OrgImportError(
                    f"{file_name}: the interrupted import #{interrupted.import_id} could not be"
                    f" rolled back ({type(exc).__name__}: {exc}); nothing of this file was"
                    " written: run this import again to finish that rollback first"
                ) from exc
            await self.observer.recovered(interrupted, kept)

    async def write(self, import_id: int, plan: Plan, when: Dated, texts: Texts, file: str) -> None:
        """Write every change of the plan, each batch with its journal notes; the members
        whose service ended are told in the transaction that marks the import done."""
        changes = plan.changes
        total = len(changes)
        async with self.db.transaction() as tx:
            await self._beat(tx, import_id)
            await orgimports.set_planned(tx, import_id, total, plan.unchanged)
        opened_on = when.on.isoformat() if plan.tree_had_units else None
        roots = _new_subtrees(plan.creates)
        for start in range(0, total, self.batch_rows):
            batch = changes[start : start + self.batch_rows]
            began = time.perf_counter()
            async with self.db.transaction() as tx:
                await self._beat(tx, import_id)
                notes = await self._write_batch(tx, start, batch, when, file, opened_on, roots)
                await orgimports.record(tx, import_id, notes)
            await self._pause(began)
            await self.observer.written(start + len(batch), total)
        async with self.db.transaction() as tx:
            await self._beat(tx, import_id)
            for change in when.told:
                await membership.tell(tx, texts, change, when.now_iso, served=None)
            await orgimports.finish(
                tx,
                import_id,
                orgimports.DONE,
                iso(self.clock.now()),
                created=len(plan.creates),
                updated=len(plan.updates),
            )

    async def _write_batch(
        self,
        tx: Tx,
        start: int,
        batch: list[Move | NewUnit | Update | Reopen | Close | Leave],
        when: Dated,
        file: str,
        opened_on: str | None,
        roots: dict[int, int],
    ) -> list[Change]:
        """One batch: tree changes one by one, new units and updates in bulk."""
        notes: list[Change] = []
        created = [c for c in batch if isinstance(c, NewUnit)]
        updated = [c for c in batch if isinstance(c, Update)]
        kinds: dict[int, dict[str, object]] = {}  # by seq: the history of a new kind
        for seq, change in enumerate(batch, start):
            if isinstance(change, Move):
                notes.append(await apply.move(tx, seq, change, when))
            elif isinstance(change, Update) and (change.new_kind or change.new_households):
                kinds[seq] = await apply.kind(tx, change, when)
        await units.insert_many(tx, created, when.now_iso, opened_on)
        if created and opened_on is not None:  # one entry per new subtree, not per unit
            opened = [(u.id, u.path, u.kind, roots[u.id]) for u in created if u.id in roots]
            await unitchanges.record_opened(tx, opened, when.on, when.now_iso, when.actor.name)
        await units.set_many(tx, [(u.unit_id, u.kind, u.households, u.phone) for u in updated])
        for seq, change in enumerate(batch, start):
            if isinstance(change, NewUnit):
                notes.append(Change(seq, change.id, orgimports.CREATED))
            elif isinstance(change, Update):
                notes.append(_note(seq, change, kinds.get(seq)))
            elif isinstance(change, Reopen):
                notes.append(await apply.reopen(tx, seq, change, when))
            elif isinstance(change, Close):
                notes.append(await apply.close(tx, seq, change, when, file))
            elif isinstance(change, Leave):
                notes.append(await apply.leave(tx, seq, change, when))
        return sorted(notes, key=lambda n: n.seq)

    async def undo(self, import_id: int) -> int:
        """Undo every journaled change of an import, newest first, and mark it rolled
        back; returns how many created units had to be kept because they are now in use."""
        async with self.db.read() as tx:
            total = await orgimports.pending_changes(tx, import_id)
        done = 0
        while True:  # until the journal is empty, even if it held more than counted above
            began = time.perf_counter()
            async with self.db.transaction() as tx:
                await self._beat(tx, import_id)
                step = await orgimports.undo_latest(tx, import_id, self.batch_rows)
            if step.undone == 0:
                break
            done += step.undone
            await self._pause(began)
            await self.observer.undone(done, max(total, done))
        async with self.db.transaction() as tx:
            await self._beat(tx, import_id)
            kept = await orgimports.kept_units(tx, import_id)
            await orgimports.finish(tx, import_id, orgimports.ROLLED_BACK, iso(self.clock.now()))
        log.info("org import rolled back", extra={"import_id": import_id, "kept": kept})
        return kept

    async def release(self, import_id: int) -> None:
        """Give the slot back when the file was refused before anything was written."""
        async with self.db.transaction() as tx:
            await orgimports.discard(tx, import_id)

    async def _beat(self, tx: Tx, import_id: int) -> None:
        if not await orgimports.beat(
            tx, import_id, self.owner.host, self.owner.pid, iso(self.clock.now())
        ):
            raise TakenOver(
                "this import was silent so long that another one judged it dead and is"
                " rolling it back; run it again once that one has finished"
            )

    async def _pause(self, began: float) -> None:
        """Leave the write lock free for as long as the batch held it (see module docs)."""
        await asyncio.sleep(time.perf_counter() - began)

    def _alive(self, row: Row, now: datetime) -> bool:
        """A running import is dead when its process is gone (same host), or when it has
        not beaten for STALE_AFTER (another host, or a pid since reused)."""
        if row["host"] == self.owner.host and not _pid_alive(int(row["pid"])):
            return False
        return datetime.fromisoformat(str(row["heartbeat_at"])) > now - STALE_AFTER


def _note(seq: int, change: Update, undo: dict[str, object] | None) -> Change:
    return Change(
        seq,
        change.unit_id,
        orgimports.UPDATED,
        change.prev_kind,
        change.prev_households,
        change.prev_phone,
        undo,
    )


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _busy(row: Row, file_name: str) -> str:
    retry = datetime.fromisoformat(str(row["heartbeat_at"])) + STALE_AFTER
    return (
        f"{file_name}: another org import is running (#{row['id']}, {row['file']}, started"
        f" {row['started_at']}, process {row['pid']} on {row['host']}); wait for it to"
        f" finish, then run this import again. If that process was stopped, this one can"
        f" go ahead after {dates.clock_seconds(retry)}."
    )


def _new_subtrees(creates: list[NewUnit]) -> dict[int, int]:
    """The new units whose parent is not new too (the tops of what the import adds), each
    with how many new units lie below it: the audit trail keeps one opening per new
    subtree, so a province's first 100,000 villages are a few lines, not 100,000."""
    parent_of = {u.id: u.parent_id for u in creates}
    below: dict[int, int] = {u.id: 0 for u in creates if u.parent_id not in parent_of}
    for unit in creates:
        top = unit.parent_id
        if top is None or top not in parent_of:
            continue
        while (up := parent_of[top]) is not None and up in parent_of:  # to the new top
            top = up
        below[top] += 1
    return below
