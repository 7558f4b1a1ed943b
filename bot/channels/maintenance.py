"""Housekeeping of a long-running process: the inbound journal and the update ids.

Every update adds a journal row and a remembered id. Pruned only at start-up, a bot that
runs for months would grow both by a row per update; `prune_inbound` runs at start-up and
then every `[inbound] prune_every_minutes`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.clock import iso
from bot.core.config import InboundSection
from bot.core.engine import Services
from storage import journal

log = logging.getLogger(__name__)


def retention(inbound: InboundSection, now: datetime) -> journal.Retention:
    """The cut-offs of `[inbound]` as of `now`."""
    return journal.Retention(
        journal_before=iso(now - timedelta(days=inbound.keep_journal_days)),
        ids_before=iso(now - timedelta(days=inbound.keep_update_ids_days)),
        failed_before=iso(now - timedelta(days=inbound.keep_failed_days)),
    )


async def prune_inbound(services: Services) -> dict[str, int]:
    """Prune the journal and update tables in one short transaction; returns the counts."""
    keep = retention(services.config.inbound, services.clock.now())
    async with services.db.transaction() as tx:
        counts = await journal.prune(tx, keep)
    if any(counts.values()):
        log.info("inbound tables pruned", extra=counts)
    return counts
