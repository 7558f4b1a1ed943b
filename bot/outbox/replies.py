"""Direct replies the messenger refused for now, handed to the durable outbox.

A reply is sent the moment its update has been handled. When the messenger answers "too
many requests, retry after N s" (a bot-wide flood wait) or the network fails, dropping the
reply would lose the answer the member is waiting for. Queued instead, it survives a
restart and the outbox sender delivers it after the wait, in order, like any other row.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.clock import iso
from bot.core.engine import Services
from bot.core.model import Outbound
from storage import outbox

log = logging.getLogger(__name__)


async def hand_over(
    services: Services,
    channel: str,
    chat_id: str,
    update_key: str,
    messages: list[tuple[int, Outbound]],
    *,
    retry_after: float | None,
    reason: str,
) -> int:
    """Queue the replies not yet sent (with their position among the update's replies) and
    pause the channel's sender for `retry_after`; returns how many were queued.

    Rows are urgent (an answer to what the member just did is not held by quiet hours) and
    flagged as replies: the dialog state already knows their choices.
    """
    now = services.clock.now()
    wait = timedelta(seconds=retry_after or 0.0)
    queued = 0
    async with services.db.transaction(brief=True) as tx:
        for index, message in messages:
            added = await outbox.enqueue(
                tx,
                dedupe_key=f"reply:{channel}:{update_key}:{index}",
                channel=channel,
                chat_id=chat_id,
                member_id=None,
                payload={**message.to_payload(), "reply": True},
                not_before_iso=iso(now + wait),
                now_iso=iso(now),
                urgent=True,
            )
            queued += added is not None
    if retry_after:
        services.flood_pause(channel, retry_after)
    services.outbox_wakeup()
    log.warning(
        "replies handed to the outbox",
        extra={"channel": channel, "count": queued, "reason": reason, "retry_after": retry_after},
    )
    return queued
