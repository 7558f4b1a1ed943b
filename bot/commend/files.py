"""The proposal list's two files, built from what is ticked when they are made.

The chat attaches them lazily (bot.core.model.Attachment), so the shortlist is read again
after the update's transaction has committed: the files hold the tick just made. The CLI
calls the same function.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.commend import export, shortlist
from bot.commend.occasions import Occasion
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.model import Attachment
from bot.reports.forms import Forms
from storage import units
from storage.db import Store

FILE_FORMATS = ("xlsx", "docx")


async def proposal_bytes(
    db: Store,
    unit_id: int,
    occasion: Occasion,
    fmt: str,
    *,
    config: Config,
    forms: Forms,
    texts: Texts,
    locale: str,
    now: datetime,
) -> bytes:
    """The list of what is ticked for `occasion` under the unit, as XLSX or DOCX."""
    async with db.read(replica=True) as tx:
        unit = await units.get(tx, unit_id)
        assert unit is not None  # units are never deleted
        listed = await shortlist.build(tx, unit, occasion, config, forms, now)

    def t(key: str, **params: object) -> str:
        """A text in the list's language."""
        return texts.t(locale, key, **params)

    content = export.proposal(listed, t, locale, now.date())
    writer = export.xlsx if fmt == "xlsx" else export.docx_bytes
    return await asyncio.to_thread(writer, content)


def attachments(
    db: Store,
    unit_id: int,
    occasion: Occasion,
    stem: str,
    failed_text: str,
    make: Callable[[Store, int, Occasion, str], Awaitable[bytes]],
) -> list[Attachment]:
    """The XLSX and DOCX of a chat reply, built only when the channel sends them."""

    def one(fmt: str) -> Attachment:
        """One file, rendered by `make` after the commit."""

        async def render() -> bytes:
            """Read the ticks and write the file."""
            return await make(db, unit_id, occasion, fmt)

        return Attachment(f"{stem}.{fmt}", "document", render, failed_text=failed_text)

    return [one(fmt) for fmt in FILE_FORMATS]
