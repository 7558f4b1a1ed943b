"""Queueing one message for a member where they are reached: the notices a dialog, a web page
or a case step sends to someone other than the person acting."""

from __future__ import annotations

from collections.abc import Collection

from bot.core.model import Outbound
from storage import members, outbox
from storage.db import Tx


async def notify_member(
    tx: Tx,
    member_id: int,
    key: str,
    message: Outbound,
    now_iso: str,
    served: Collection[str] | None,
    *,
    urgent: bool = False,
) -> bool:
    """Queue `message` (deduplicated by `key`) on the messenger the member is reached on;
    False when no messenger in `served` reaches them (the caller asks for a call instead)."""
    contact = await members.contact(tx, member_id, served)
    if contact is None:
        return False
    item = outbox.Planned(
        key,
        str(contact["channel"]),
        str(contact["chat_id"]),
        member_id,
        message.to_payload(),
        now_iso,
        urgent,
    )
    outbox.enqueue_later(tx, item, now_iso)  # with the next trip: nothing waits for its id
    return True
