"""A number that changes whenever something a tally reads changes, for caching what is
computed from it (the web tally pages keep a province's tally until the next such change).

Migration 018 keeps it in the one-row table `tally_version`, bumped by triggers on every
insert, update or delete of the tables the tally's queries read (reports, memberships, units,
leaves, target overrides, commendations, the supervised register...), whoever commits it:
this process, the command line, an org import. Commits that change no tally (an outbox mark,
a sign-in, a web link, the inbound journal, a member's last message) leave it alone, so a
kept tally survives them.
"""

from __future__ import annotations

from storage.db import Tx


async def tally_version(tx: Tx) -> int:
    """The tally data's version as this transaction sees it; read it before computing from the
    same snapshot, so a cached result is never older than the version it is filed under."""
    row = await tx.fetchone("SELECT n FROM tally_version WHERE id = 1")
    return int(row[0]) if row else 0
