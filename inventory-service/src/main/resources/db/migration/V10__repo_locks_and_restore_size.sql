-- The repository's locks as the newest stats job listed them (JSON {count, stale, items:[…]}), and when.
ALTER TABLE repos ADD COLUMN locks_json TEXT;
ALTER TABLE repos ADD COLUMN locks_checked_at TEXT;
-- A full stats job measures the stored size (raw-data) and the restore size in one run: one row holds both, the
-- restore size here (rows of mode restore-size keep theirs in total_size).
ALTER TABLE repo_stats ADD COLUMN restore_size INTEGER;
-- Such runs were stored as raw-data rows holding the RESTORE size in total_size (their summary has a file count, which
-- raw-data alone reports as 0): move it where it belongs; their stored size was not kept.
UPDATE repo_stats SET restore_size = total_size, total_size = NULL WHERE mode = 'raw-data' AND total_file_count > 0;
