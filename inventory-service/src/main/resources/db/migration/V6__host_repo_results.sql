-- Per link: the newest backup into that repository and the newest copy into it, so a stale off-site copy shows.
ALTER TABLE host_repos ADD COLUMN last_backup_job_id TEXT;
ALTER TABLE host_repos ADD COLUMN last_backup_status TEXT;
ALTER TABLE host_repos ADD COLUMN last_backup_finished_at TEXT;
ALTER TABLE host_repos ADD COLUMN last_copy_job_id TEXT;
ALTER TABLE host_repos ADD COLUMN last_copy_status TEXT;
ALTER TABLE host_repos ADD COLUMN last_copy_finished_at TEXT;
-- the primary link starts with what the host knew of its backups
UPDATE host_repos SET last_backup_job_id = (SELECT h.last_backup_job_id FROM hosts h WHERE h.id = host_repos.host_id),
                      last_backup_status = (SELECT h.last_backup_status FROM hosts h WHERE h.id = host_repos.host_id),
                      last_backup_finished_at = (SELECT h.last_backup_finished_at FROM hosts h
                                                 WHERE h.id = host_repos.host_id)
WHERE role = 'primary';
