-- Times become service-kit Times text (fixed-width UTC with milliseconds) like every other time in the project;
-- they were epoch milliseconds (INTEGER). Each table is rebuilt with TEXT columns and its values converted.

CREATE TABLE enrollment_tokens_v2 (
    id           TEXT PRIMARY KEY,
    name         TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT,
    used_by_host TEXT
);
INSERT INTO enrollment_tokens_v2 (id, name, token_hash, created_by, created_at, expires_at, used_at, used_by_host)
SELECT id, name, token_hash, created_by,
       strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', used_at / 1000.0, 'unixepoch'),
       used_by_host
FROM enrollment_tokens;
DROP TABLE enrollment_tokens;
ALTER TABLE enrollment_tokens_v2 RENAME TO enrollment_tokens;

CREATE TABLE agents_v2 (
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
    enrolled_at      TEXT    NOT NULL,
    revoked_at       TEXT,
    last_seen_at     TEXT
);
INSERT INTO agents_v2 (host_id, token_hash, hostname, os, arch, agent_version, restic_version, protocol_version,
                       disabled, online, enrolled_at, revoked_at, last_seen_at)
SELECT host_id, token_hash, hostname, os, arch, agent_version, restic_version, protocol_version, disabled, online,
       strftime('%Y-%m-%dT%H:%M:%fZ', enrolled_at / 1000.0, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', revoked_at / 1000.0, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at / 1000.0, 'unixepoch')
FROM agents;
DROP TABLE agents;
ALTER TABLE agents_v2 RENAME TO agents;

-- One row per event; to_jobs / to_inventory are 1 while that receiver still has to get it.
CREATE TABLE outbox_v2 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id      TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    to_jobs      INTEGER NOT NULL,
    to_inventory INTEGER NOT NULL
);
INSERT INTO outbox_v2 (id, host_id, type, at, payload, to_jobs, to_inventory)
SELECT id, host_id, type, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch'), payload, to_jobs, to_inventory
FROM outbox;
-- Event ids are what receivers de-duplicate by: the new table continues the old sequence (which may be past the
-- highest id left, as delivered rows are deleted), so no id is ever handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'outbox_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_v2', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_v2 RENAME TO outbox;
CREATE INDEX outbox_pending_jobs ON outbox (id) WHERE to_jobs = 1;
CREATE INDEX outbox_pending_inventory ON outbox (id) WHERE to_inventory = 1;
