"""Schedules plan, they don't send: cron slots, catch-up after downtime, APScheduler wiring.

Each job is a cron trigger and a planner. A slot is planned in one transaction that claims
the slot in `schedule_slots` and queues its outbox rows (deterministic keys), so running a
planner twice, or again after a restart, sends nothing twice, and of several processes
planning the same slot one plans it while the others find it taken and abandon their plan.
On start-up every slot missed while the bot was down is planned if it is within
`[reminders] grace_hours`, else skipped and logged. APScheduler only wakes `Planning.tick`
at the slot times; the slot maths uses the injected clock, so tests drive it by setting the
time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger

from bot.core.clock import iso
from storage import outbox, schedule
from storage.members import Served
from storage.outbox import Planned

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.core.engine import Services
    from bot.core.model import Outbound
    from storage.db import Tx
    from storage.recipients import Recipient

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 40  # slots older than this are neither planned nor recorded as skipped


@dataclass
class Plan:
    """What a planner gets: the slot it plans for, the time now, and the transaction."""

    services: Services
    tx: Tx
    slot: datetime
    now: datetime

    @property
    def at(self) -> str:
        """Not-before of the rows: the slot, or now when catching up a slot already past."""
        return iso(max(self.slot, self.now))

    def t(self, locale: str, key: str, **params: object) -> str:
        """A text in the recipient's language."""
        return self.services.texts.t(locale, key, **params)

    @property
    def served(self) -> Served | None:
        """Messengers this process delivers to (None: any, e.g. in tests with none yet)."""
        return self.services.served()

    def each(
        self,
        rows: list[Recipient],
        key: Callable[[Recipient], str],
        message: Callable[[Recipient, str], Outbound],
        *,
        expires_iso: str | None = None,
    ) -> list[Planned]:
        """One outbox row per recipient who can be reached (`recipients.audience` rows),
        keyed by `key(row)`, with `message(row, locale)` in their language."""
        return [
            Planned(
                key(row),
                row.channel,
                row.chat_id,
                row.member_id,
                message(row, row.locale).to_payload(),
                self.at,
                expires_iso=expires_iso,
            )
            for row in rows
            if row.channel is not None and row.chat_id is not None
        ]


Planner = Callable[[Plan], Awaitable[list[Planned]]]


@dataclass(frozen=True)
class Job:
    """A named cron schedule and the planner its slots run."""

    name: str
    trigger: CronTrigger
    planner: Planner


def slots_between(trigger: CronTrigger, after: datetime, until: datetime) -> Iterator[datetime]:
    """The trigger's fire times in (after, until], oldest first."""
    moment = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    while moment is not None and moment <= until:
        yield moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))


class Planning:
    """Runs every job's due slots exactly once, catching up what downtime missed."""

    def __init__(self, services: Services, jobs: list[Job]) -> None:
        self.services = services
        self.jobs = jobs
        self._lock = asyncio.Lock()

    @property
    def grace(self) -> timedelta:
        """How late a slot may still be planned (older ones would land at the wrong time)."""
        return timedelta(hours=self.services.config.reminders.grace_hours)

    async def tick(self, now: datetime | None = None) -> int:
        """Plan every slot due by `now` not yet planned; returns how many messages were queued."""
        moment = now or self.services.clock.now()
        queued = 0
        async with self._lock:
            async with self.services.db.read() as tx:
                alive = await schedule.last_slot(tx)  # the bot's last activity, before this tick
            for job in self.jobs:
                queued += await self._catch_up(job, moment, alive)
        if queued:
            self.services.outbox_wakeup()
        return queued

    async def _catch_up(self, job: Job, now: datetime, alive: str | None) -> int:
        """Plan or skip each slot of one job since its last one; a job with no slot yet
        (new, or never due) counts from the bot's last activity, else from the grace."""
        db = self.services.db
        async with db.read() as tx:
            last = await schedule.last_slot(tx, job.name) or alive
        start = datetime.fromisoformat(last) if last else now - self.grace
        start = max(start, now - timedelta(days=LOOKBACK_DAYS))
        queued = 0
        for slot in slots_between(job.trigger, start, now):
            late = now - slot
            outcome = "skipped" if late > self.grace else "planned"
            async with db.transaction() as tx:
                if not await schedule.claim(tx, job.name, iso(slot), outcome, iso(now)):
                    log.info(
                        "schedule slot taken by another process",
                        extra={"job": job.name, "slot": iso(slot)},
                    )
                    continue
                if late > self.grace:
                    log.warning(
                        "schedule slot skipped: missed beyond the grace period",
                        extra={"job": job.name, "slot": iso(slot), "late_s": late.seconds},
                    )
                    continue
                items = await job.planner(Plan(self.services, tx, slot, now))
                count = await outbox.enqueue_many(tx, items, iso(now))
                await schedule.set_queued(tx, job.name, iso(slot), count)
            queued += count
            log.info(
                "schedule slot planned",
                extra={"job": job.name, "slot": iso(slot), "queued": count, "planned": len(items)},
            )
        return queued


@dataclass(frozen=True)
class Every:
    """A background job beside the cron slots: every `seconds`, the first a whole interval
    after the start. With `daily`, also each day at that time, and first a minute after the
    start: the communes' kept lines fall due at the report deadline (and after an upgrade),
    and a country's tally counts every team until they are kept."""

    name: str
    seconds: float
    func: Callable[[], Awaitable[Any]]
    daily: time | None = None


class Scheduler:
    """APScheduler wakes the planning at each job's cron time; start-up catches up first."""

    def __init__(
        self,
        planning: Planning,
        extra: list[Every] | None = None,
    ) -> None:
        self.planning = planning
        self.extra = extra or []  # e.g. announcement progress, the journal's pruning
        self._aps: AsyncIOScheduler | None = None

    async def start(self) -> None:
        """Catch up missed slots, then let APScheduler fire at the next ones."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        await self.planning.tick()
        services = self.planning.services
        aps = AsyncIOScheduler(timezone=services.clock.tz)
        for job in self.planning.jobs:
            aps.add_job(
                self._fire,
                job.trigger,
                id=job.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
        # A safety net: a wake-up lost to a clock step is picked up within a minute.
        aps.add_job(self._fire, IntervalTrigger(seconds=60), id="catch-up", coalesce=True)
        for every in self.extra:
            aps.add_job(
                every.func,
                _every_trigger(every, services.clock.tz),
                id=every.name,
                coalesce=True,
                max_instances=1,
                next_run_time=datetime.now(services.clock.tz) + _first_after(every),
            )
        aps.start()
        self._aps = aps
        log.info("scheduler started", extra={"jobs": [j.name for j in self.planning.jobs]})

    async def _fire(self) -> None:
        """One cron slot came: plan whatever is due (the slot records keep it exactly once)."""
        try:
            await self.planning.tick()
        except Exception:
            log.exception("planning failed")

    def stop(self) -> None:
        """Stop firing; slots that come while stopped are caught up at the next start."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None


def _first_after(job: Every) -> timedelta:
    """How long after the start a background job first runs: its interval; at most a minute
    for a job with a daily time (the minute lets the start's catch-up go first)."""
    seconds = job.seconds if job.daily is None else min(job.seconds, 60.0)
    return timedelta(seconds=seconds)


def _every_trigger(job: Every, tz: Any) -> Any:
    """The job's interval, or (with `daily`) either that or the time of day, whichever comes
    first: APScheduler's OrTrigger, so the job stays one job that never overlaps itself."""
    from apscheduler.triggers.combining import OrTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    interval = IntervalTrigger(seconds=job.seconds, timezone=tz)
    if job.daily is None:
        return interval
    at = job.daily
    return OrTrigger(
        [interval, CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=tz)]
    )
