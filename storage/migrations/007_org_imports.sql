-- The org import journal: a large `antt-bot org import` writes in short transactions so the
-- running bot keeps answering, and records every change next to it, so an import that fails
-- or is killed part-way can be undone and the unit tree is all or nothing.

-- One row per import that wrote (or tried to write). `status` is 'running' while it writes
-- or while its changes are being undone, then 'done' or 'rolled_back'. The importing
-- process is `host` + `pid`; `heartbeat_at` moves with every batch, so a later import can
-- tell a live import (refused) from one whose process died (rolled back first).
CREATE TABLE org_imports (
    id            INTEGER PRIMARY KEY,
    file          TEXT NOT NULL,
    status        TEXT NOT NULL,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    heartbeat_at  TEXT NOT NULL,
    finished_at   TEXT,
    planned       INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    kept          INTEGER NOT NULL DEFAULT 0
);
-- At most one import runs at a time; a second INSERT of a running row fails.
CREATE UNIQUE INDEX org_imports_running ON org_imports(status) WHERE status = 'running';

-- What an import changed, in the order written (parents before children): a created unit
-- (deleted again on rollback, children first) or an updated one with its previous kind and
-- households (restored on rollback). No foreign key on unit_id: a rollback deletes the unit.
CREATE TABLE org_import_changes (
    import_id        INTEGER NOT NULL REFERENCES org_imports(id),
    seq              INTEGER NOT NULL,
    unit_id          INTEGER NOT NULL,
    action           TEXT NOT NULL,
    prev_kind        TEXT,
    prev_households  INTEGER,
    PRIMARY KEY (import_id, seq)
) WITHOUT ROWID;
