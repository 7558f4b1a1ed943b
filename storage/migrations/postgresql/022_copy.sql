-- Copying a database into another (`antt-bot db copy`, bot/database/copy.py): the twin of
-- storage/migrations/022_copy.sql. database_identity holds this database's own random id,
-- made at the first copy from or into it; copied_rows every row a copy brought in, by the
-- source's id and the row's key there.
CREATE TABLE database_identity (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    uid         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE copied_rows (
    source_id   TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    old_key     TEXT NOT NULL,
    new_id      TEXT NOT NULL,
    copied_at   TEXT NOT NULL,
    PRIMARY KEY (source_id, table_name, old_key)
);
