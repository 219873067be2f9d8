-- Per-job log budget: what job_logs already holds for the job, and whether later lines were dropped.
ALTER TABLE jobs ADD COLUMN log_lines INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN log_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN log_truncated INTEGER NOT NULL DEFAULT 0;
-- Finished jobs by age, for log retention.
CREATE INDEX jobs_finished ON jobs (finished_at);
