-- Repositories whose stats (size, snapshot count, locks) are due for a refresh: a backup, forget, prune, copy or unlock
-- on them succeeded, or a job failed on a lock. One row per repository however many jobs ended (the debounce);
-- first_at bounds how long a steady stream of jobs can postpone it. host_id: the host whose job ended last (it runs the
-- refresh). Written in the same transaction as the job's end, so a restart loses no refresh.
CREATE TABLE stats_refresh (
    repo_id  TEXT PRIMARY KEY,
    host_id  TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at  TEXT NOT NULL
);
