-- The result of each host's latest restore drill (from jobs-service's job results), shown as last_drill.
ALTER TABLE hosts ADD COLUMN last_drill_job_id TEXT;
ALTER TABLE hosts ADD COLUMN last_drill_status TEXT;
ALTER TABLE hosts ADD COLUMN last_drill_finished_at TEXT;
ALTER TABLE hosts ADD COLUMN last_drill_snapshot_id TEXT;
