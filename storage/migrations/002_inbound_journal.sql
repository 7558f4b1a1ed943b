-- Raw updates as received from the platform, written before the platform is told they
-- arrived; those never processed (a kill between receipt and handling) are replayed at start.
CREATE TABLE inbound_journal (
    channel      TEXT NOT NULL,
    update_key   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (channel, update_key)
);
