-- Copying a database into another (`antt-bot db copy`, bot/database/copy.py).
-- database_identity: this database's own random id, so a copy knows which database a row
-- came from whatever file name or URL it is reached by. Made at the first copy from or into
-- the database (storage/copying.py), not here: a database cloned from a migrated template
-- before that (a provisioning file, CREATE DATABASE ... TEMPLATE) gets an id of its own.
-- copied_rows: every row a copy brought into this database, by the source's id and the row's
-- key there, with its key here: a second copy finds them and brings only what is new.
CREATE TABLE database_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
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
