-- Times are epoch milliseconds (INTEGER): they compare correctly, unlike mixed-precision ISO text.
CREATE TABLE enrollment_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_by   TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    used_by_host TEXT
);

CREATE TABLE agents (
    host_id          TEXT PRIMARY KEY,
    token_hash       TEXT UNIQUE,
    hostname         TEXT    NOT NULL,
    os               TEXT,
    arch             TEXT,
    agent_version    TEXT,
    restic_version   TEXT,
    protocol_version INTEGER,
    disabled         INTEGER NOT NULL DEFAULT 0,
    online           INTEGER NOT NULL DEFAULT 0,
    enrolled_at      INTEGER NOT NULL,
    revoked_at       INTEGER,
    last_seen_at     INTEGER
);

-- One row per event; to_jobs / to_inventory are 1 while that receiver still has to get it.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id      TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    to_jobs      INTEGER NOT NULL,
    to_inventory INTEGER NOT NULL
);

CREATE INDEX outbox_pending_jobs ON outbox (id) WHERE to_jobs = 1;

CREATE INDEX outbox_pending_inventory ON outbox (id) WHERE to_inventory = 1;
