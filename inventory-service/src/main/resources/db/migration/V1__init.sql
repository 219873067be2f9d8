-- Repositories. Every secret column holds a SecretBox value (v1.<kid>.<…>) sealed with the context
-- repo:<id>:<column>. The URL is sealed too (it may embed rest-server credentials); url_redacted is
-- the only plain form, used for display.
CREATE TABLE repos (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL UNIQUE,
    url_redacted          TEXT NOT NULL,
    url_sealed            TEXT NOT NULL,
    password_sealed       TEXT NOT NULL,
    env_sealed            TEXT,
    env_keys              TEXT NOT NULL DEFAULT '[]',
    prune_url_sealed      TEXT,
    prune_password_sealed TEXT,
    prune_env_sealed      TEXT,
    last_check_at         TEXT,
    last_check_status     TEXT,
    snapshots_reported_at TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);

CREATE TABLE hosts (
    id                      TEXT PRIMARY KEY,
    hostname                TEXT NOT NULL,
    name                    TEXT,
    os                      TEXT,
    arch                    TEXT,
    agent_version           TEXT,
    restic_version          TEXT,
    online                  INTEGER NOT NULL DEFAULT 0,
    presence_at             TEXT,
    disabled                INTEGER NOT NULL DEFAULT 0,
    last_seen_at            TEXT,
    repo_id                 TEXT REFERENCES repos (id),
    last_backup_job_id      TEXT,
    last_backup_status      TEXT,
    last_backup_finished_at TEXT,
    last_backup_data_added  INTEGER,
    last_backup_snapshot_id TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);

CREATE INDEX hosts_repo ON hosts (repo_id);

CREATE TABLE host_tags (
    host_id TEXT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (host_id, tag)
);

CREATE INDEX host_tags_tag ON host_tags (tag, host_id);

-- Removed hosts stay here so late or replayed hub events never bring them back.
CREATE TABLE deleted_hosts (
    id         TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);

-- Hub events already applied (the hub delivers at least once).
CREATE TABLE processed_events (
    id          TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
);

CREATE INDEX processed_events_received ON processed_events (received_at);

-- Projection of `restic snapshots --json` per repository, replaced by each snapshots.report.
-- time_ns (epoch nanoseconds) is the keyset sort key; time keeps restic's value as an RFC 3339 instant.
CREATE TABLE snapshots (
    repo_id  TEXT    NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    id       TEXT    NOT NULL,
    short_id TEXT    NOT NULL,
    time_ns  INTEGER NOT NULL,
    time     TEXT    NOT NULL,
    hostname TEXT    NOT NULL,
    username TEXT,
    paths    TEXT    NOT NULL,
    tags     TEXT    NOT NULL,
    tree     TEXT,
    parent   TEXT,
    summary  TEXT,
    PRIMARY KEY (repo_id, id)
);

CREATE INDEX snapshots_repo_time ON snapshots (repo_id, time_ns DESC, id DESC);

CREATE INDEX snapshots_repo_host_time ON snapshots (repo_id, hostname, time_ns DESC, id DESC);

-- One row per stats job (restic stats --json), for size-trend graphs.
CREATE TABLE repo_stats (
    seq                     INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id                 TEXT NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    job_id                  TEXT NOT NULL UNIQUE,
    at                      TEXT NOT NULL,
    mode                    TEXT NOT NULL,
    total_size              INTEGER,
    total_file_count        INTEGER,
    snapshot_count          INTEGER,
    total_blob_count        INTEGER,
    total_uncompressed_size INTEGER,
    compression_ratio       REAL
);

CREATE INDEX repo_stats_repo ON repo_stats (repo_id, seq DESC);
