-- Alerts: rules with their thresholds (per host or schedule overrides), one open alert per (rule, subject), its
-- history, silences, notification channels (settings sealed like repository secrets) and the delivery outbox.
CREATE TABLE alert_rules (
    rule        TEXT PRIMARY KEY,
    enabled     INTEGER NOT NULL DEFAULT 1,
    severity    TEXT    NOT NULL,
    threshold_s INTEGER,
    renotify_s  INTEGER NOT NULL DEFAULT 14400
);
INSERT INTO alert_rules (rule, severity, threshold_s) VALUES
    ('backup_failed', 'critical', NULL),
    ('check_failed', 'critical', NULL),
    ('maintenance_failed', 'warning', NULL),
    ('host_offline', 'warning', 900),
    ('rpo_breached', 'critical', NULL);

-- subject: 'host:<id>' or 'schedule:<id>'; NULL columns keep the rule's value
CREATE TABLE alert_overrides (
    rule        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    enabled     INTEGER,
    threshold_s INTEGER,
    PRIMARY KEY (rule, subject)
);

CREATE TABLE alerts (
    id               TEXT PRIMARY KEY,
    rule             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    severity         TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved')),
    host_id          TEXT,
    schedule_id      TEXT,
    repo_id          TEXT,
    job_id           TEXT,
    summary          TEXT NOT NULL,
    fired_at         TEXT NOT NULL,
    acked_at         TEXT,
    acked_by         TEXT,
    resolved_at      TEXT,
    resolved_by      TEXT,
    last_notified_at TEXT,
    updated_at       TEXT NOT NULL
);
-- never a storm of duplicates: at most one open alert per rule and subject
CREATE UNIQUE INDEX alerts_open ON alerts (rule, subject) WHERE state <> 'resolved';
CREATE INDEX alerts_by_state ON alerts (state, fired_at);
CREATE INDEX alerts_by_host ON alerts (host_id, fired_at);

CREATE TABLE alert_history (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    at       TEXT NOT NULL,
    state    TEXT NOT NULL,
    by       TEXT NOT NULL,
    note     TEXT
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id, seq);

CREATE TABLE alert_silences (
    id         TEXT PRIMARY KEY,
    rule       TEXT,
    host_id    TEXT,
    until      TEXT NOT NULL,
    reason     TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE alert_channels (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    settings_sealed   TEXT NOT NULL,
    settings_redacted TEXT NOT NULL,
    rules_json        TEXT NOT NULL DEFAULT '[]',
    min_severity      TEXT NOT NULL DEFAULT 'info',
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL
);

CREATE TABLE alert_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    state      TEXT NOT NULL,
    body_json  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_at);
CREATE INDEX alert_deliveries_by_channel ON alert_deliveries (channel_id, id);

-- the RPO sweep reads each host's last good backup: a covering index keeps that cheap on a long job history
CREATE INDEX jobs_last_good ON jobs (kind, status, host_id, finished_at);
