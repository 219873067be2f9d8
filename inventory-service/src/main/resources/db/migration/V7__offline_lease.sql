-- How long agents may keep this repository's backup credential in memory to run schedules while the server is
-- unreachable (seconds; NULL = the default of 7 days, 0 = never offline).
ALTER TABLE repos ADD COLUMN offline_lease_s INTEGER;
