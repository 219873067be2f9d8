-- Sessions keep their times as text like every other time in the project (they were epoch milliseconds).
CREATE TABLE sessions_v3 (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    source_ip    TEXT NOT NULL
);
INSERT INTO sessions_v3 (token_hash, user_id, created_at, last_seen_at, source_ip)
SELECT token_hash, user_id,
       strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at / 1000.0, 'unixepoch'),
       source_ip
FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v3 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);
