"""A number that changes whenever anything in the database changes, for caching what is
computed from it (the web tally pages keep a province's tally until the next change).

SQLite's `PRAGMA data_version` changes when another connection commits (the bot writes on one
connection and reads on another), and `total_changes()` counts this connection's own writes
(a database without a separate reader reads and writes on one connection). Together they
change on every commit, whoever made it: a new report, an acknowledgement, a member moved.
"""

from __future__ import annotations

from storage.db import Tx


async def data_version(tx: Tx) -> tuple[int, int]:
    """The database's version as this connection sees it; read it before computing from the
    same snapshot, so a cached result is never older than the version it is filed under."""
    pragma = await tx.fetchone("PRAGMA data_version")
    own = await tx.fetchone("SELECT total_changes()")
    return (int(pragma[0]) if pragma else 0, int(own[0]) if own else 0)
