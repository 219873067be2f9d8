-- Restore drills: one row per finished drill job (its history; the job row keeps the full summary and log), the
-- host whose snapshot it proved, and the snapshot's time — what the fleet RPO view shows as "restorable as of".
CREATE TABLE drills (
    job_id           TEXT PRIMARY KEY,
    host_id          TEXT NOT NULL,
    repo_id          TEXT,
    runner_host_id   TEXT,
    status           TEXT NOT NULL,
    snapshot_id      TEXT,
    snapshot_time    TEXT,
    files_sampled    INTEGER,
    files_restored   INTEGER,
    bytes_restored   INTEGER,
    verified         INTEGER,
    mismatched       INTEGER,
    duration_ms      INTEGER,
    bytes_per_second INTEGER,
    finished_at      TEXT NOT NULL
);
CREATE INDEX drills_by_host ON drills (host_id, status, snapshot_time);
INSERT INTO alert_rules (rule, severity, threshold_s) VALUES ('drill_failed', 'critical', NULL);
