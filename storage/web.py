"""The web server's links and sessions, stored by the hash of their token only."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Row, Tx

_LINK_COLUMNS = """id, purpose, member_id, created_at, expires_at, used_at, revoked_at,
    claimed_by, filename, content_type, path, ref"""


@dataclass(frozen=True)
class Link:
    """A sign-in link or a link to one file, as stored."""

    id: int
    purpose: str
    member_id: int
    created_at: str
    expires_at: str
    used_at: str | None
    revoked_at: str | None
    claimed_by: int | None
    filename: str
    content_type: str
    path: str
    ref: str

    @classmethod
    def from_row(cls, row: Row) -> Link:
        """The one place that maps the columns to fields."""
        return cls(
            id=int(row["id"]),
            purpose=str(row["purpose"]),
            member_id=int(row["member_id"]),
            created_at=str(row["created_at"]),
            expires_at=str(row["expires_at"]),
            used_at=row["used_at"],
            revoked_at=row["revoked_at"],
            claimed_by=row["claimed_by"],
            filename=str(row["filename"]),
            content_type=str(row["content_type"]),
            path=str(row["path"]),
            ref=str(row["ref"]),
        )

    def live(self, now_iso: str) -> bool:
        """Whether it may still open: not revoked, not expired (a used sign-in link is
        checked apart, so its page can say it was used)."""
        return self.revoked_at is None and now_iso < self.expires_at


@dataclass(frozen=True)
class Session:
    """A signed-in browser."""

    id: int
    member_id: int
    scope: str
    csrf: str
    created_at: str
    expires_at: str
    ended_at: str | None

    def live(self, now_iso: str) -> bool:
        """Whether the session still stands (not signed out, ended or expired)."""
        return self.ended_at is None and now_iso < self.expires_at


async def add_link(
    tx: Tx,
    token_hash: str,
    purpose: str,
    member_id: int,
    now_iso: str,
    expires_iso: str,
    *,
    filename: str = "",
    content_type: str = "",
    path: str = "",
    ref: str = "",
) -> int:
    """Record a link the bot is about to send; its id."""
    return await tx.insert(
        """INSERT INTO web_links (token_hash, purpose, member_id, created_at, expires_at,
               filename, content_type, path, ref)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (token_hash, purpose, member_id, now_iso, expires_iso, filename, content_type, path, ref),
    )


async def link_by_hash(tx: Tx, token_hash: str) -> Link | None:
    """The link a token names, whatever its state (the page says why it no longer opens)."""
    row = await tx.fetchone(
        f"SELECT {_LINK_COLUMNS} FROM web_links WHERE token_hash = ?", (token_hash,)
    )
    return Link.from_row(row) if row is not None else None


async def use_link(tx: Tx, link_id: int, now_iso: str) -> bool:
    """Spend a one-use link; False when it was spent already (two taps racing)."""
    cursor = await tx.execute(
        "UPDATE web_links SET used_at = ? WHERE id = ? AND used_at IS NULL", (now_iso, link_id)
    )
    return cursor.rowcount == 1


async def claim_link(tx: Tx, link_id: int, session_id: int) -> bool:
    """Tie a file link to the browser session that opened it first; False if one already
    holds it."""
    cursor = await tx.execute(
        "UPDATE web_links SET claimed_by = ? WHERE id = ? AND claimed_by IS NULL",
        (session_id, link_id),
    )
    return cursor.rowcount == 1


async def links_of(tx: Tx, member_id: int, now_iso: str, purpose: str = "file") -> list[Link]:
    """A member's file links still open, newest first (the downloads page lists them)."""
    rows = await tx.fetchall(
        f"""SELECT {_LINK_COLUMNS} FROM web_links
            WHERE member_id = ? AND purpose = ? AND revoked_at IS NULL AND expires_at > ?
            ORDER BY created_at DESC, id DESC LIMIT 200""",
        (member_id, purpose, now_iso),
    )
    return [Link.from_row(r) for r in rows]


async def add_session(
    tx: Tx,
    token_hash: str,
    member_id: int,
    scope: str,
    csrf: str,
    now_iso: str,
    expires_iso: str,
) -> int:
    """Open a session; its id."""
    return await tx.insert(
        """INSERT INTO web_sessions (token_hash, member_id, scope, csrf, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (token_hash, member_id, scope, csrf, now_iso, expires_iso),
    )


async def session_by_hash(tx: Tx, token_hash: str) -> Session | None:
    """The session a cookie names, whatever its state."""
    row = await tx.fetchone(
        """SELECT id, member_id, scope, csrf, created_at, expires_at, ended_at
           FROM web_sessions WHERE token_hash = ?""",
        (token_hash,),
    )
    if row is None:
        return None
    return Session(
        id=int(row["id"]),
        member_id=int(row["member_id"]),
        scope=str(row["scope"]),
        csrf=str(row["csrf"]),
        created_at=str(row["created_at"]),
        expires_at=str(row["expires_at"]),
        ended_at=row["ended_at"],
    )


async def end_session(tx: Tx, session_id: int, now_iso: str) -> None:
    """Sign out."""
    await tx.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
        (now_iso, session_id),
    )


async def revoke_member(tx: Tx, member_id: int, now_iso: str) -> None:
    """End every session and link of a member who left or whose role or unit changed: what
    they could open was decided by what they were."""
    await tx.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE member_id = ? AND ended_at IS NULL",
        (now_iso, member_id),
    )
    await tx.execute(
        "UPDATE web_links SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL",
        (now_iso, member_id),
    )


async def expired_files(tx: Tx, now_iso: str) -> list[Row]:
    """Links past their time (or revoked) whose bytes the bot wrote: for pruning."""
    return await tx.fetchall(
        """SELECT id, path FROM web_links
           WHERE path <> '' AND (expires_at <= ? OR revoked_at IS NOT NULL)""",
        (now_iso,),
    )


async def forget_files(tx: Tx, ids: list[int]) -> None:
    """The pruned files' rows keep their history but no longer name a file."""
    await tx.executemany("UPDATE web_links SET path = '' WHERE id = ?", [(i,) for i in ids])
