-- The host whose agent runs the job when that is not the job's own host: the repository's maintenance host, which
-- runs forget/prune/check for the host with the full credential (NULL: the job's host runs it).
ALTER TABLE jobs ADD COLUMN runner_host_id TEXT;
