-- Restore jobs: the job row's host_id is the host that restores (the target) and repo_id the SOURCE
-- host's repository; this row says whose repository it is. No secret is stored: a cross-host restore's
-- target agent gets the source credential in that job's job.start only (the single-job grant).
CREATE TABLE restores (
    job_id         TEXT PRIMARY KEY,
    source_host_id TEXT NOT NULL,
    source_repo_id TEXT NOT NULL,
    target_host_id TEXT NOT NULL
);
