-- Schedules: when (5-field cron + IANA time zone) and what (kind + params as run-now takes them), per host.
CREATE TABLE schedules (
    id          TEXT    PRIMARY KEY,
    host_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    cron        TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    params_json TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    created_by  TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX schedules_host ON schedules (host_id);

-- Which schedule list each agent must get: version grows on every change and on host.online,
-- pushed is the version the agent acknowledged through the hub.
CREATE TABLE schedule_sync (
    host_id   TEXT    PRIMARY KEY,
    version   INTEGER NOT NULL,
    pushed    INTEGER NOT NULL DEFAULT 0,
    pushed_at TEXT
);

-- schedule.fire events not yet turned into jobs (e.g. inventory-service was down); retried with backoff.
CREATE TABLE schedule_fires (
    job_id      TEXT    PRIMARY KEY,
    host_id     TEXT    NOT NULL,
    schedule_id TEXT    NOT NULL,
    fired_at    TEXT    NOT NULL,
    catch_up    INTEGER NOT NULL,
    received_at TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT    NOT NULL
);

-- A job a schedule fired: which schedule, and the cron time it stands for (it may start later).
ALTER TABLE jobs ADD COLUMN schedule_id TEXT;
ALTER TABLE jobs ADD COLUMN scheduled_for TEXT;
CREATE INDEX jobs_schedule ON jobs (schedule_id, seq);
