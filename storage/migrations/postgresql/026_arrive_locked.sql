-- An update's transaction begun with the last COMMIT but without the write lock (another
-- process held it then) takes the lock and reads its arrival (storage/conversations.py's
-- ARRIVAL: the update seen before?, the chat's state, the member) in one round trip
-- (storage/pg_tx.py, LOCKED_TWINS). The read cannot simply follow the lock in one statement:
-- a statement reads the snapshot taken as it starts, before the lock is granted, and would
-- miss what the lock's last holder committed meanwhile. A VOLATILE function's own statements
-- each take a new snapshot, so the query below, run after the lock, sees all of it; its plan
-- is kept per session as a prepared statement's is. The query is ARRIVAL word for word
-- ($1..$6 as p1..p6); tests/unit/test_pg_trips.py checks that the two stay the same.
CREATE OR REPLACE FUNCTION antt_arrive_locked(
    p1 TEXT, p2 TEXT, p3 TEXT, p4 TEXT, p5 TEXT, p6 TEXT, lock_key BIGINT
) RETURNS TABLE (
    seen INTEGER, state TEXT, id BIGINT, unit_id BIGINT, role TEXT, full_name TEXT,
    locale TEXT, active BIGINT, unit_name TEXT, unit_path TEXT, unit_kind TEXT
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY
SELECT
    CASE WHEN EXISTS (SELECT 1 FROM processed_updates p
                      WHERE p.channel = p1 AND p.update_key = p2) THEN 1 ELSE 0 END AS seen,
    (SELECT c.state FROM conversations c WHERE c.channel = p3 AND c.chat_id = p4) AS state,
    m.id, m.unit_id, m.role, m.full_name, m.locale, m.active,
    u.name AS unit_name, u.path AS unit_path, u.kind AS unit_kind
  FROM (SELECT 1 AS one) AS o
  LEFT JOIN identities i ON i.channel = p5 AND i.user_id = p6
  LEFT JOIN members m ON m.id = i.member_id AND m.active = 1
  LEFT JOIN units u ON u.id = m.unit_id;
END
$$;
