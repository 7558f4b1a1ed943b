"""The members of a subtree as the operator lists them: where, as what, since when, reachable."""

from __future__ import annotations

from storage.db import Row, Tx
from storage.subtree import within, within_params


async def under(tx: Tx, path: str | None, everything: bool) -> list[Row]:
    """The members whose current (or last) unit lies in the subtree at `path`, by unit then
    name, so the operator can pick the id to move, re-role or mark as left; without
    `everything`, only those still serving. `path` None: the whole tree.

    Columns: id, full_name, role, active, phone, unit_path, joined (1 when they have a
    messenger account: the bot can reach them), since and until (their last stretch's first
    and last day, until NULL while serving).
    """
    where = [within("u.path")] if path is not None else ["1 = 1"]
    if not everything:
        where.append("m.active = 1")
    return await tx.fetchall(
        f"""SELECT m.id, m.full_name, m.role, m.active, m.phone, u.path AS unit_path,
                   EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id) AS joined,
                   s.start_date AS since, s.end_date AS until
              FROM members m JOIN units u ON u.id = m.unit_id
              LEFT JOIN memberships s ON s.id = (
                   SELECT s2.id FROM memberships s2 WHERE s2.member_id = m.id
                    ORDER BY s2.start_date DESC, s2.id DESC LIMIT 1)
             WHERE {" AND ".join(where)}
             ORDER BY u.path, m.full_name, m.id""",
        within_params(path) if path is not None else (),
    )
