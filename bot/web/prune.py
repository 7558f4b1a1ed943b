"""Deleting the files of links that expired or were revoked, so the folder does not grow."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from bot.core.clock import iso
from bot.core.engine import Services
from storage import web

log = logging.getLogger(__name__)


async def prune_files(services: Services) -> int:
    """Remove expired files from `[web] files_dir` (their links stay, naming no file);
    returns how many were removed."""
    folder = Path(services.config.web.files_dir)
    async with services.db.transaction() as tx:
        rows = await web.expired_files(tx, iso(services.clock.now()))
        for row in rows:
            with contextlib.suppress(FileNotFoundError):
                (folder / str(row["path"])).unlink()
        await web.forget_files(tx, [int(r["id"]) for r in rows])
    if rows:
        log.info("web files pruned", extra={"count": len(rows)})
    return len(rows)
