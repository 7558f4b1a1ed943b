"""Outbox rows whose content is built when they are sent: the monthly tally.

Planning a province's monthly tallies must not hold the database for the minutes it takes
to build them all, so the planner queues small descriptors (unit, period, locale) under
deterministic keys and the sender renders each one as it goes out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.channels import DeliveryError
from bot.core.model import Attachment, Outbound

if TYPE_CHECKING:
    from bot.core.engine import Services


async def render_deferred(services: Services, payload: dict[str, Any]) -> Outbound:
    """Build the message a deferred outbox row stands for."""
    from bot.tally import periods
    from bot.tally.files import chat_xlsx_bytes, file_stem, png_bytes
    from bot.tally.prepared import prepare
    from storage import members, units

    kind = payload["render"]
    if kind not in {"tally", "tally_xlsx"}:
        raise DeliveryError(f"unknown deferred message {kind!r}", transient=False)
    config = services.config
    locale = str(payload.get("locale") or config.bot.locale)
    period = periods.decode(
        str(payload["period"]), config.tally.phases, config.tally.month_starts_on
    )
    texts = services.texts
    async with services.db.read(replica=True) as tx:
        unit = await units.get(tx, int(payload["unit_id"]))
        if unit is None:
            raise DeliveryError("unit no longer exists", transient=False)  # no use retrying
        # The reader's role as it is when the file goes out (bot/tally/privacy); a row queued
        # without the member (before they were named here) gets the file without details.
        reader = payload.get("member_id")
        member = await members.get(tx, int(reader)) if reader is not None else None
        ready = await prepare(
            tx,
            unit,
            period,
            config=config,
            forms=services.forms,
            texts=texts,
            locale=locale,
            now=services.clock.now(),
        )
    tally, labels = ready.tally, ready.labels
    if kind == "tally":
        note_key = "schedule.files_note" if payload.get("files") else "tally.files_elsewhere"
        head = texts.t(locale, "schedule.monthly_tally_intro")
        body = ready.message(config.tally.phone_team_limit, files_note=texts.t(locale, note_key))
        return Outbound(f"{head}\n\n{body}")
    role = member.role if member is not None else None
    data = await chat_xlsx_bytes(services.db, tally, labels, config, role=role)

    async def built() -> bytes:
        """The workbook, already built."""
        return data

    stem = file_stem(tally)
    files = [Attachment(f"{stem}.xlsx", "document", built)]
    if payload.get("chart"):  # where files are links (Zalo), the chart too, as a photo
        chart = await png_bytes(tally, labels)

        async def drawn() -> bytes:
            """The chart, already drawn."""
            return chart

        files.append(Attachment(f"{stem}.png", "photo", drawn))
    return Outbound(texts.t(locale, "schedule.monthly_tally_file"), attachments=files)
