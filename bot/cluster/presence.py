"""The heartbeat of one process among several on one database, and what the living do with it.

Every `heartbeat_seconds` a process writes its beat, then reads everyone's (a handful of
rows) and:

* takes its share of each bot's rate: 1 / (processes sending through that bot), for the
  outbox sender and for Telegram's pace of every message (replies too). A share is good
  for two heartbeats only, counted from before the read; a process that could not beat
  since sends nothing. A newcomer that finds others sending through a bot waits those
  same two heartbeats before its first send, by which time every other process has read
  the new count and lowered its own share. So the sum of the shares never exceeds the
  rate, and a dead process whose beat has not expired yet only makes the living slower.
* puts back in the queue the outbox rows a dead process had claimed, and replays the
  updates it had received but not handled (adopting them first, in the transaction that
  forgets the dead process, so one process replays each, once).

A process is dead once its beat is `dead_after_seconds` old, or at once when it ran on this
same machine and its pid is gone (bot/cluster/identity.py): a restart after kill -9 takes
its own work back without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.cluster import identity
from bot.cluster.identity import Identity
from bot.core.clock import iso
from storage import journal, outbox, processes
from storage.processes import Process

if TYPE_CHECKING:
    from bot.core.engine import Services

log = logging.getLogger(__name__)

_NODE = identity.node()


class Shared(Protocol):
    """A limiter that takes a share of a bot's rate (RateLimiter, PacedLimiter)."""

    def share(self, fraction: float, *, valid_for: float, start_after: float = 0.0) -> None:
        """Send at `fraction` of the rate for `valid_for` seconds, from `start_after` on."""
        ...


class Sending(Protocol):
    """What the presence needs of an outbox sender: its channel's name and its limiter."""

    @property
    def channel_name(self) -> str:
        """The messenger it sends to."""
        ...

    @property
    def shared(self) -> Shared:
        """Its pace."""
        ...


Replayer = Callable[[list[dict[str, Any]]], Awaitable[int]]
# A dead process's updates received this long before its last beat and still not handled
# failed rather than waited: they are not adopted (the next start replays them).
ADOPT_WINDOW = timedelta(minutes=10)


def _alive(rows: list[Process], services: Services, me: str | None) -> list[Process]:
    """Processes whose beat is fresh and which are not known gone; `me` always."""
    limit = services.config.cluster.dead_after_seconds
    fresh_from = iso(services.clock.now() - timedelta(seconds=limit))
    return [
        row
        for row in rows
        if row.process_id == me or (row.beat_at >= fresh_from and not _gone_here(row))
    ]


def _gone_here(row: Process) -> bool:
    """A process of this machine whose pid is gone: dead, whatever its last beat says."""
    return identity.gone(row.node, row.pid, row.pid_start, _NODE)


async def living(services: Services) -> list[str] | None:
    """Ids of the living processes, for a start-up that must leave their work alone; None
    for a process that runs alone (no heartbeat: everything unfinished is its own)."""
    me = services.process_id
    if me is None:
        return None
    async with services.db.read() as tx:
        rows = await processes.all_processes(tx)
    return [row.process_id for row in _alive(rows, services, me)]


class Presence:
    """This process's heartbeat and the take-overs that follow from everyone's."""

    def __init__(self, services: Services, me: Identity | None = None) -> None:
        self.services = services
        self.me = me or identity.this_process()
        self.senders: list[Sending] = []
        self.paces: dict[str, Shared] = {}  # a channel's pace besides its sender's (Telegram)
        self.replayers: dict[str, Replayer] = {}  # set once each messenger is served
        self._task: asyncio.Task[None] | None = None
        self._replays: set[asyncio.Task[None]] = set()

    @property
    def process_id(self) -> str:
        """This process's id in the `processes` table."""
        return self.me.process_id

    @property
    def channels(self) -> tuple[str, ...]:
        """The messengers this process sends to."""
        return tuple(sorted({sender.channel_name for sender in self.senders}))

    @property
    def validity(self) -> float:
        """How long a share is good for (and how long a newcomer waits): two heartbeats."""
        return 2 * self.services.config.cluster.heartbeat_seconds

    def _row(self) -> Process:
        me = self.me
        return Process(me.process_id, me.node, me.pid, me.pid_start, self.channels, "")

    async def start(self, *, beating: bool = True) -> None:
        """Register (the first beat), take this process's shares, and beat from now on
        (tests pass `beating=False` and call `beat` themselves)."""
        await self.beat(first=True)
        self.services.process_id = self.process_id
        if beating:
            self._task = asyncio.create_task(self._loop())
        log.debug("process registered", extra={"channels": list(self.channels)})

    async def beat(self, *, first: bool = False) -> None:
        """One heartbeat: write ours, read everyone's, adjust the shares, take over the dead."""
        read_at = time.monotonic()
        services = self.services
        now = iso(services.clock.now())
        async with services.db.transaction(first=True, brief=True) as tx:
            present = not first and await processes.beat(tx, self.process_id, self.channels, now)
            if not present:  # first start, or removed as dead after a long stall
                await processes.register(tx, self._row(), now)
            rows = await processes.all_processes(tx)
        alive = _alive(rows, services, self.process_id)
        self._share(alive, read_at, newcomer=not present)
        if not first:
            await self._take_over(rows, alive)

    def _share(self, alive: list[Process], read_at: float, *, newcomer: bool) -> None:
        """Each bot's rate divided by the processes sending through it (this one too)."""
        valid_for = self.validity - (time.monotonic() - read_at)
        for channel in self.channels:
            others = sum(
                1 for p in alive if p.process_id != self.process_id and channel in p.channels
            )
            wait = self.validity if newcomer and others else 0.0
            limiters = [s.shared for s in self.senders if s.channel_name == channel]
            if channel in self.paces:
                limiters.append(self.paces[channel])
            for limiter in limiters:
                limiter.share(1 / (others + 1), valid_for=valid_for, start_after=wait)

    async def _take_over(self, rows: list[Process], alive: list[Process]) -> None:
        """Re-queue what dead processes were sending; adopt and replay the updates they
        had received but not handled; forget them once every messenger they served here
        has adopted its share (a dead process is read once, not at every beat)."""
        alive_ids = [p.process_id for p in alive]
        dead = [p for p in rows if p.process_id not in alive_ids]
        recovered = 0
        adopted: dict[str, list[dict[str, Any]]] = {}
        async with self.services.db.transaction() as tx:
            for channel in self.channels:
                recovered += await outbox.recover_interrupted(tx, channel, alive=alive_ids)
            if dead:
                since = iso(min(datetime.fromisoformat(p.beat_at) for p in dead) - ADOPT_WINDOW)
                dead_ids = [p.process_id for p in dead]
                for channel in self.replayers:
                    adopted[channel] = await journal.adopt(
                        tx, channel, dead_ids, self.process_id, since
                    )
                served = set(self.replayers)
                await processes.remove(
                    tx, [p.process_id for p in dead if set(p.channels) <= served]
                )
        if recovered:
            log.warning("outbox rows of a dead process re-queued", extra={"count": recovered})
            self.services.outbox_wakeup()
        for channel, pending in adopted.items():
            if pending:
                task = asyncio.create_task(self._replay(channel, pending))
                self._replays.add(task)
                task.add_done_callback(self._replays.discard)

    async def _replay(self, channel: str, pending: list[dict[str, Any]]) -> None:
        """Handle the updates adopted from a dead process (in their order of arrival)."""
        log.warning("replaying a dead process's updates", extra={"count": len(pending)})
        try:
            await self.replayers[channel](pending)
        except Exception:
            log.exception("replaying a dead process's updates failed", extra={"channel": channel})

    async def settle(self) -> None:
        """Wait for adopted updates still being replayed (tests, shutdown)."""
        while self._replays:
            await asyncio.gather(*self._replays, return_exceptions=True)

    async def _loop(self) -> None:
        seconds = self.services.config.cluster.heartbeat_seconds
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.beat()
            except Exception:  # the shares lapse, so this process pauses rather than floods
                log.exception("heartbeat failed")

    async def stop(self) -> None:
        """Stop beating and leave the table (after the senders stopped): the others take
        this process's share of each bot at their next beat."""
        for task in (self._task, *self._replays):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = None
        with contextlib.suppress(Exception):
            async with self.services.db.transaction() as tx:
                await processes.remove(tx, [self.process_id])
