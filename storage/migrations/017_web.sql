-- The web server's links and sessions (bot/web/). Only a SHA-256 of each token is stored, so
-- a copy of the database opens no link and no session.
--
-- A link is a sign-in link sent by /web (`purpose` 'signin': one use, minutes long) or a file
-- the bot made for one member (`purpose` 'file': a workbook, a CSV, a chart, a report photo).
-- A file link's bytes sit in `path` under [web] files_dir, or `ref` names a photo the bot
-- already holds ("file:<path>" from Zalo, "tg:<file_id>" on Telegram). A file link opens
-- for its member's session, or, opened first without one, ties itself to that browser
-- (`claimed_by`: the session it opened there), so a forwarded link does not open elsewhere.
-- `photo` links are fetched by the messenger itself (Zalo's sendPhoto takes a URL) and open
-- for whoever holds them until they expire.
CREATE TABLE web_links (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    purpose       TEXT NOT NULL CHECK (purpose IN ('signin', 'file', 'photo')),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    revoked_at    TEXT,
    claimed_by    INTEGER,
    filename      TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    path          TEXT NOT NULL DEFAULT '',
    ref           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_links_member ON web_links(member_id, expires_at);
CREATE INDEX web_links_expiry ON web_links(expires_at);

-- A browser signed in as a member: `scope` 'pages' after a sign-in link, 'files' when a file
-- link was opened there without a session (it then opens that member's files and nothing
-- else). `csrf` is the token every form of the session carries. Ended at sign-out, at
-- expiry, and when the member leaves or changes role or unit (`ended_at`).
CREATE TABLE web_sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    scope         TEXT NOT NULL CHECK (scope IN ('pages', 'files')),
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT
);
CREATE INDEX web_sessions_member ON web_sessions(member_id);
