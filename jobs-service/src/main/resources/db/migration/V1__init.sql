-- Jobs: one row per job; seq gives FIFO order and the keyset for paging (newest first).
CREATE TABLE jobs (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT    NOT NULL UNIQUE,
    host_id          TEXT    NOT NULL,
    repo_id          TEXT,
    kind             TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    queued_reason    TEXT,
    params_json      TEXT    NOT NULL,
    created_by_id    TEXT,
    created_by       TEXT,
    created_at       TEXT    NOT NULL,
    dispatched_at    TEXT,
    started_at       TEXT,
    finished_at      TEXT,
    exit_code        INTEGER,
    summary_json     TEXT,
    error            TEXT,
    command_line     TEXT,
    progress_json    TEXT,
    progress_seq     INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_status_repo ON jobs (status, repo_id, seq);
CREATE INDEX jobs_host ON jobs (host_id, seq);

-- Every agent event of a job (ack, progress, log lines, finished) by (job_id, seq): de-duplication and the log.
CREATE TABLE job_logs (
    job_id TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    ts     TEXT    NOT NULL,
    stream TEXT    NOT NULL,
    line   TEXT    NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- Presence as the hub reports it (host.online / host.offline); changed_at orders late events.
CREATE TABLE hosts (
    host_id    TEXT    PRIMARY KEY,
    online     INTEGER NOT NULL,
    changed_at TEXT    NOT NULL
);

-- Terminal results not yet delivered to inventory-service (retried with backoff).
CREATE TABLE pending_results (
    job_id    TEXT    PRIMARY KEY,
    host_id   TEXT    NOT NULL,
    body_json TEXT    NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0,
    next_at   TEXT    NOT NULL
);
