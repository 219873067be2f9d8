-- inventory.db: every statement inventory-service's stores run, by name (reads through DbClient, writes through
-- the store's one writer, SqliteStore.write). Times are fixed-width UTC text (service-kit Times), bound as Instant.
-- Optional filters take their argument twice: (? IS NULL OR col = ?).

-- ---- hosts, host_tags, deleted_hosts (HostStore) ----

-- A host as the API shows it: its repo's name, its tags (comma separated) and its newest snapshot's time.
-- name: hosts.find
SELECT h.*, r.name AS repo_name,
       (SELECT group_concat(t.tag, ',') FROM host_tags t WHERE t.host_id = h.id) AS tag_list,
       (SELECT MAX(s.time_ns) FROM snapshots s WHERE s.repo_id = h.repo_id AND s.hostname = h.hostname)
           AS last_snapshot_ns,
       (SELECT COUNT(*) FROM host_repos l WHERE l.host_id = h.id) AS repo_count,
       (SELECT MAX(s.time_ns) FROM host_repos l JOIN snapshots s ON s.repo_id = l.repo_id AND s.hostname = h.hostname
        WHERE l.host_id = h.id AND l.repo_id IS NOT h.repo_id) AS secondary_snapshot_ns
FROM hosts h LEFT JOIN repos r ON r.id = h.repo_id
WHERE h.id = ?;

-- Same view; args: tag, tag, status, status (each NULL = any). Status is online, offline or disabled.
-- name: hosts.list
SELECT h.*, r.name AS repo_name,
       (SELECT group_concat(t.tag, ',') FROM host_tags t WHERE t.host_id = h.id) AS tag_list,
       (SELECT MAX(s.time_ns) FROM snapshots s WHERE s.repo_id = h.repo_id AND s.hostname = h.hostname)
           AS last_snapshot_ns,
       (SELECT COUNT(*) FROM host_repos l WHERE l.host_id = h.id) AS repo_count,
       (SELECT MAX(s.time_ns) FROM host_repos l JOIN snapshots s ON s.repo_id = l.repo_id AND s.hostname = h.hostname
        WHERE l.host_id = h.id AND l.repo_id IS NOT h.repo_id) AS secondary_snapshot_ns
FROM hosts h LEFT JOIN repos r ON r.id = h.repo_id
WHERE (? IS NULL OR EXISTS (SELECT 1 FROM host_tags t WHERE t.host_id = h.id AND t.tag = ?))
  AND (? IS NULL OR ? = CASE WHEN h.disabled = 1 THEN 'disabled' WHEN h.online = 1 THEN 'online' ELSE 'offline' END)
ORDER BY COALESCE(h.name, h.hostname) COLLATE NOCASE, h.id;

-- name: hosts.page
-- One page of the fleet by name. Args: search pattern ×4 (a LIKE pattern on name, hostname or a tag), tag ×2,
-- status ×3 (online, offline, disabled, or failing = the last backup failed), the previous page's last sort name ×3
-- and id (the keyset position), limit. Each filter NULL = any. The page's ids are chosen first, so the per-host
-- subqueries run for the page's hosts only, not for the whole fleet before the sort.
WITH page AS (
    SELECT h.id FROM hosts h
    WHERE (? IS NULL OR COALESCE(h.name, h.hostname) LIKE ? ESCAPE '\' OR h.hostname LIKE ? ESCAPE '\'
           OR EXISTS (SELECT 1 FROM host_tags t WHERE t.host_id = h.id AND t.tag LIKE ? ESCAPE '\'))
      AND (? IS NULL OR EXISTS (SELECT 1 FROM host_tags t WHERE t.host_id = h.id AND t.tag = ?))
      AND (? IS NULL
           OR ? = 'failing' AND h.last_backup_status = 'failed'
           OR ? = CASE WHEN h.disabled = 1 THEN 'disabled' WHEN h.online = 1 THEN 'online' ELSE 'offline' END)
      AND (? IS NULL OR COALESCE(h.name, h.hostname) COLLATE NOCASE > ?
           OR COALESCE(h.name, h.hostname) COLLATE NOCASE = ? AND h.id > ?)
    ORDER BY COALESCE(h.name, h.hostname) COLLATE NOCASE, h.id
    LIMIT ?)
SELECT h.*, r.name AS repo_name,
       (SELECT group_concat(t.tag, ',') FROM host_tags t WHERE t.host_id = h.id) AS tag_list,
       (SELECT MAX(s.time_ns) FROM snapshots s WHERE s.repo_id = h.repo_id AND s.hostname = h.hostname)
           AS last_snapshot_ns,
       (SELECT COUNT(*) FROM host_repos l WHERE l.host_id = h.id) AS repo_count,
       (SELECT MAX(s.time_ns) FROM host_repos l JOIN snapshots s ON s.repo_id = l.repo_id AND s.hostname = h.hostname
        WHERE l.host_id = h.id AND l.repo_id IS NOT h.repo_id) AS secondary_snapshot_ns
FROM page JOIN hosts h ON h.id = page.id LEFT JOIN repos r ON r.id = h.repo_id
ORDER BY COALESCE(h.name, h.hostname) COLLATE NOCASE, h.id;

-- name: hosts.summary
SELECT COUNT(*) AS total,
       COALESCE(SUM(disabled = 0 AND online = 1), 0) AS online,
       COALESCE(SUM(disabled = 0 AND online = 0), 0) AS offline,
       COALESCE(SUM(disabled = 1), 0) AS disabled,
       COALESCE(SUM(last_backup_status = 'failed'), 0) AS failing
FROM hosts;

-- name: hosts.tags
SELECT DISTINCT tag FROM host_tags ORDER BY tag;

-- name: hosts.agent-versions
SELECT agent_version AS version, COUNT(*) AS hosts FROM hosts WHERE agent_version IS NOT NULL
GROUP BY agent_version ORDER BY agent_version;

-- name: hosts.restic-versions
SELECT restic_version AS version, COUNT(*) AS hosts FROM hosts WHERE restic_version IS NOT NULL
GROUP BY restic_version ORDER BY restic_version;

-- name: hosts.exists
SELECT 1 FROM hosts WHERE id = ?;

-- name: hosts.repo-of
SELECT repo_id FROM hosts WHERE id = ?;

-- name: hosts.set-name
UPDATE hosts SET name = ? WHERE id = ?;

-- name: hosts.set-repo
UPDATE hosts SET repo_id = ? WHERE id = ?;

-- name: hosts.set-disabled
UPDATE hosts SET disabled = ? WHERE id = ?;

-- name: hosts.touch
UPDATE hosts SET updated_at = ? WHERE id = ?;

-- name: hosts.delete
DELETE FROM hosts WHERE id = ?;

-- Keeps the newest backup result: args job, status, finished_at, data_added, snapshot_id, id, finished_at.
-- name: hosts.record-backup
UPDATE hosts SET last_backup_job_id = ?, last_backup_status = ?, last_backup_finished_at = ?,
                 last_backup_data_added = ?, last_backup_snapshot_id = ?
WHERE id = ? AND (last_backup_finished_at IS NULL OR last_backup_finished_at <= ?);

-- Keeps the newest drill result: args job, status, finished_at, snapshot_id, id, finished_at.
-- name: hosts.record-drill
UPDATE hosts SET last_drill_job_id = ?, last_drill_status = ?, last_drill_finished_at = ?, last_drill_snapshot_id = ?
WHERE id = ? AND (last_drill_finished_at IS NULL OR last_drill_finished_at <= ?);

-- name: hosts.create
INSERT OR IGNORE INTO hosts (id, hostname, created_at, updated_at) VALUES (?, ?, ?, ?);

-- Newer facts win; a NULL fact keeps what we knew.
-- name: hosts.facts
UPDATE hosts SET hostname = COALESCE(?, hostname), os = COALESCE(?, os), arch = COALESCE(?, arch),
                 agent_version = COALESCE(?, agent_version), restic_version = COALESCE(?, restic_version),
                 runs_as_root = COALESCE(?, runs_as_root), updated_at = ?
WHERE id = ?;

-- Presence from the hub, unless a newer one was applied: args online, at, seen, seen, id, at.
-- name: hosts.presence
UPDATE hosts SET online = ?, presence_at = ?,
                 last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < ? THEN ? ELSE last_seen_at END
WHERE id = ? AND (presence_at IS NULL OR presence_at <= ?);

-- Hosts using a repository: every link counts, not only primaries.
-- name: hosts.using-repo
SELECT 1 FROM host_repos WHERE repo_id = ? LIMIT 1;

-- name: hosts.count-for-repo
SELECT COUNT(*) AS n FROM host_repos WHERE repo_id = ?;

-- name: hosts.count-by-repo
SELECT repo_id, COUNT(*) AS n FROM host_repos GROUP BY repo_id;

-- ---- host_repos: every repository a host backs up to (the primary one is also hosts.repo_id) ----

-- name: host-repos.link
INSERT INTO host_repos (host_id, repo_id, role, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (host_id, repo_id) DO UPDATE SET role = excluded.role;

-- name: host-repos.unlink
DELETE FROM host_repos WHERE host_id = ? AND repo_id = ?;

-- The newest backup into a linked repository wins: args job, status, finished_at, host, repo, finished_at.
-- name: host-repos.record-backup
UPDATE host_repos SET last_backup_job_id = ?, last_backup_status = ?, last_backup_finished_at = ?
WHERE host_id = ? AND repo_id = ? AND (last_backup_finished_at IS NULL OR last_backup_finished_at <= ?);

-- The newest copy into a linked repository wins: args job, status, finished_at, host, repo, finished_at.
-- name: host-repos.record-copy
UPDATE host_repos SET last_copy_job_id = ?, last_copy_status = ?, last_copy_finished_at = ?
WHERE host_id = ? AND repo_id = ? AND (last_copy_finished_at IS NULL OR last_copy_finished_at <= ?);

-- name: host-repos.unlink-all
DELETE FROM host_repos WHERE host_id = ?;

-- name: host-repos.linked
SELECT role FROM host_repos WHERE host_id = ? AND repo_id = ?;

-- The oldest remaining link: it becomes primary when the primary one goes.
-- name: host-repos.next-primary
SELECT repo_id FROM host_repos WHERE host_id = ? ORDER BY created_at, repo_id LIMIT 1;

-- A host's repositories, primary first, each with the newest snapshot this host has in it; args host, host.
-- name: host-repos.of-host
SELECT l.repo_id, l.role, l.created_at, r.name, r.url_redacted, (h.repo_id = l.repo_id) AS is_primary,
       l.last_backup_job_id, l.last_backup_status, l.last_backup_finished_at,
       l.last_copy_job_id, l.last_copy_status, l.last_copy_finished_at,
       (SELECT MAX(s.time_ns) FROM snapshots s WHERE s.repo_id = l.repo_id AND s.hostname = h.hostname)
           AS last_snapshot_ns,
       (SELECT COUNT(*) FROM snapshots s WHERE s.repo_id = l.repo_id AND s.hostname = h.hostname) AS snapshot_count
FROM host_repos l JOIN repos r ON r.id = l.repo_id JOIN hosts h ON h.id = l.host_id
WHERE l.host_id = ?
ORDER BY is_primary DESC, l.created_at, l.repo_id;

-- name: host-tags.delete-for-host
DELETE FROM host_tags WHERE host_id = ?;

-- name: host-tags.insert
INSERT INTO host_tags (host_id, tag) VALUES (?, ?);

-- name: deleted-hosts.exists
SELECT 1 FROM deleted_hosts WHERE id = ?;

-- name: deleted-hosts.insert
INSERT OR REPLACE INTO deleted_hosts (id, deleted_at) VALUES (?, ?);

-- ---- repos, repo_stats (RepoStore) ----

-- name: repos.insert
INSERT INTO repos (id, name, url_redacted, url_sealed, password_sealed, env_sealed, env_keys, prune_url_sealed,
                   prune_password_sealed, prune_env_sealed, last_check_at, last_check_status, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?);

-- name: repos.exists
SELECT 1 FROM repos WHERE id = ?;

-- name: repos.find
SELECT id, name, url_redacted, url_sealed, password_sealed, env_sealed, env_keys, prune_url_sealed,
       prune_password_sealed, prune_env_sealed, last_check_at, last_check_status, created_at, updated_at,
       offline_lease_s, maintenance_host_id, lease_on_disk
FROM repos WHERE id = ?;

-- name: repos.list
SELECT id, name, url_redacted, url_sealed, password_sealed, env_sealed, env_keys, prune_url_sealed,
       prune_password_sealed, prune_env_sealed, last_check_at, last_check_status, created_at, updated_at,
       offline_lease_s, maintenance_host_id, lease_on_disk
FROM repos ORDER BY name COLLATE NOCASE, id;

-- args: name, id of the repo that may keep it
-- name: repos.name-taken
SELECT id FROM repos WHERE name = ? AND id <> ?;

-- A PATCH sets each given column with its own statement (NULL clears), then repos.touch, in one transaction.
-- name: repos.set-name
UPDATE repos SET name = ? WHERE id = ?;

-- name: repos.set-url
UPDATE repos SET url_redacted = ?, url_sealed = ? WHERE id = ?;

-- name: repos.set-password
UPDATE repos SET password_sealed = ? WHERE id = ?;

-- name: repos.set-env
UPDATE repos SET env_sealed = ?, env_keys = ? WHERE id = ?;

-- name: repos.set-prune-url
UPDATE repos SET prune_url_sealed = ? WHERE id = ?;

-- name: repos.set-prune-password
UPDATE repos SET prune_password_sealed = ? WHERE id = ?;

-- name: repos.set-prune-env
UPDATE repos SET prune_env_sealed = ? WHERE id = ?;

-- name: repos.touch
UPDATE repos SET updated_at = ? WHERE id = ?;

-- name: repos.delete
DELETE FROM repos WHERE id = ?;

-- Records a check result unless a newer one is there: args at, status, id, at.
-- name: repos.record-check
UPDATE repos SET last_check_at = ?, last_check_status = ?
WHERE id = ? AND (last_check_at IS NULL OR last_check_at <= ?);

-- Every sealed column of every repo (rekey, and checks of the key in use).
-- name: repos.sealed
SELECT id, url_sealed, password_sealed, env_sealed, prune_url_sealed, prune_password_sealed, prune_env_sealed
FROM repos ORDER BY id;

-- Rekey: every sealed column of one repo (NULL stays NULL).
-- name: repos.reseal
UPDATE repos SET url_sealed = ?, password_sealed = ?, env_sealed = ?, prune_url_sealed = ?,
                 prune_password_sealed = ?, prune_env_sealed = ?
WHERE id = ?;

-- name: repos.snapshots-reported-at
SELECT snapshots_reported_at FROM repos WHERE id = ?;

-- name: repos.set-snapshots-reported-at
UPDATE repos SET snapshots_reported_at = ? WHERE id = ?;

-- name: repo-stats.latest
SELECT at, job_id, mode, total_size, total_file_count, snapshot_count, total_blob_count, total_uncompressed_size,
       compression_ratio
FROM repo_stats WHERE repo_id = ? ORDER BY seq DESC LIMIT 1;

-- args: repo, mode (raw-data or restore-size)
-- name: repo-stats.latest-of-mode
SELECT at, job_id, mode, total_size, total_file_count, snapshot_count, total_blob_count, total_uncompressed_size,
       compression_ratio
FROM repo_stats WHERE repo_id = ? AND mode = ? ORDER BY seq DESC LIMIT 1;

-- The last points, newest first: args repo, mode, mode (NULL = any), limit.
-- name: repo-stats.history
SELECT at, job_id, mode, total_size, total_file_count, snapshot_count, total_blob_count, total_uncompressed_size,
       compression_ratio
FROM repo_stats WHERE repo_id = ? AND (? IS NULL OR mode = ?) ORDER BY seq DESC LIMIT ?;

-- A replayed job id changes nothing.
-- name: repo-stats.insert
INSERT OR IGNORE INTO repo_stats (repo_id, job_id, at, mode, total_size, total_file_count, snapshot_count,
                                  total_blob_count, total_uncompressed_size, compression_ratio)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- ---- snapshots (SnapshotStore) ----

-- The projection's size and newest snapshot, and when it was last reported: args repo, repo.
-- name: snapshots.summary
SELECT COUNT(*) AS n, MAX(time_ns) AS last,
       (SELECT snapshots_reported_at FROM repos WHERE id = ?) AS reported
FROM snapshots WHERE repo_id = ?;

-- name: snapshots.delete-for-repo
DELETE FROM snapshots WHERE repo_id = ?;

-- name: snapshots.insert
INSERT OR REPLACE INTO snapshots (repo_id, id, short_id, time_ns, time, hostname, username, paths, tags, tree, parent,
                                  summary)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- Keyset pages, newest first. Four fixed statements rather than (? IS NULL OR …) filters so that each one is
-- served by its index (snapshots_repo_time / snapshots_repo_host_time) as a range scan, however deep the page.
-- args: repo, limit
-- name: snapshots.page
SELECT id, short_id, time_ns, time, hostname, username, paths, tags, tree, parent, summary
FROM snapshots WHERE repo_id = ?
ORDER BY time_ns DESC, id DESC LIMIT ?;

-- args: repo, cursor time_ns, cursor id, limit
-- name: snapshots.page-after
SELECT id, short_id, time_ns, time, hostname, username, paths, tags, tree, parent, summary
FROM snapshots WHERE repo_id = ? AND (time_ns, id) < (?, ?)
ORDER BY time_ns DESC, id DESC LIMIT ?;

-- args: repo, hostname, limit
-- name: snapshots.page-of-host
SELECT id, short_id, time_ns, time, hostname, username, paths, tags, tree, parent, summary
FROM snapshots WHERE repo_id = ? AND hostname = ?
ORDER BY time_ns DESC, id DESC LIMIT ?;

-- args: repo, hostname, cursor time_ns, cursor id, limit
-- name: snapshots.page-of-host-after
SELECT id, short_id, time_ns, time, hostname, username, paths, tags, tree, parent, summary
FROM snapshots WHERE repo_id = ? AND hostname = ? AND (time_ns, id) < (?, ?)
ORDER BY time_ns DESC, id DESC LIMIT ?;

-- A snapshot by id or id prefix (restic's short ids): args repo, hostname, prefix, prefix + U+FFFF.
-- name: snapshots.by-prefix
SELECT id, short_id, time_ns, time, hostname, username, paths, tags, tree, parent, summary
FROM snapshots WHERE repo_id = ? AND hostname = ? AND id >= ? AND id < ? LIMIT 2;

-- ---- snapshot_report_parts, snapshot_reports_done (ReportParts) ----

-- name: report-parts.done
SELECT 1 FROM snapshot_reports_done WHERE report_id = ?;

-- name: report-parts.mark-done
INSERT OR IGNORE INTO snapshot_reports_done (report_id, done_at) VALUES (?, ?);

-- name: report-parts.header
SELECT parts, repo_id, host_id FROM snapshot_report_parts WHERE report_id = ? LIMIT 1;

-- A repeat keeps the first copy (and its time) and only refreshes received_at.
-- name: report-parts.stage
INSERT INTO snapshot_report_parts (report_id, part, parts, repo_id, host_id, at, received_at, snapshots)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (report_id, part) DO UPDATE SET received_at = excluded.received_at;

-- name: report-parts.count
SELECT COUNT(*) FROM snapshot_report_parts WHERE report_id = ?;

-- name: report-parts.parts
SELECT at, snapshots FROM snapshot_report_parts WHERE report_id = ? ORDER BY part;

-- name: report-parts.delete
DELETE FROM snapshot_report_parts WHERE report_id = ?;

-- name: report-parts.any-stale
SELECT 1 FROM snapshot_report_parts WHERE received_at < ? LIMIT 1;

-- Incomplete reports that got no part since the cutoff.
-- name: report-parts.delete-stale
DELETE FROM snapshot_report_parts
WHERE report_id IN (SELECT report_id FROM snapshot_report_parts GROUP BY report_id HAVING MAX(received_at) < ?);

-- name: report-parts.forget-done
DELETE FROM snapshot_reports_done WHERE done_at < ?;

-- ---- processed_events (HubEvents) ----

-- name: processed-events.insert
INSERT OR IGNORE INTO processed_events (id, received_at) VALUES (?, ?);

-- name: processed-events.forget
DELETE FROM processed_events WHERE received_at < ?;

-- name: repos.set-offline-lease
UPDATE repos SET offline_lease_s = ? WHERE id = ?;

-- name: repos.set-maintenance-host
UPDATE repos SET maintenance_host_id = ? WHERE id = ?;

-- name: repos.set-lease-on-disk
UPDATE repos SET lease_on_disk = ? WHERE id = ?;

-- ---- metrics (InventoryMetrics) ----

-- One row per host_repos link: the repository's size (newest raw-data stats, else newest restore-size, as
-- GET /api/repos shows it) and this host's snapshots in it. Aggregated here, over the indexes repo_stats_repo and
-- snapshots_repo_host_time, so a scrape costs one statement however many snapshots there are. listed: the
-- repository's snapshots were reported at least once (before that a count of 0 would be a guess).
-- name: metrics.host-repos
SELECT l.host_id, COALESCE(h.name, h.hostname) AS host, l.repo_id, r.name AS repo,
       r.snapshots_reported_at IS NOT NULL AS listed,
       COALESCE((SELECT st.total_size FROM repo_stats st WHERE st.repo_id = l.repo_id AND st.mode = 'raw-data'
                 ORDER BY st.seq DESC LIMIT 1),
                (SELECT st.total_size FROM repo_stats st WHERE st.repo_id = l.repo_id AND st.mode = 'restore-size'
                 ORDER BY st.seq DESC LIMIT 1)) AS size_bytes,
       COUNT(s.id) AS snapshots, MAX(s.time_ns) AS last_ns
FROM host_repos l JOIN hosts h ON h.id = l.host_id JOIN repos r ON r.id = l.repo_id
     LEFT JOIN snapshots s ON s.repo_id = l.repo_id AND s.hostname = h.hostname
GROUP BY l.host_id, l.repo_id
ORDER BY l.host_id, l.repo_id;

-- ---- a host's default backup hooks ----

-- name: host-hooks.find
SELECT host_id, pre_sealed, post_sealed, shell_json, timeout_s, updated_at FROM host_hooks WHERE host_id = ?;

-- name: host-hooks.put
INSERT INTO host_hooks (host_id, pre_sealed, post_sealed, shell_json, timeout_s, updated_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (host_id) DO UPDATE SET pre_sealed = excluded.pre_sealed, post_sealed = excluded.post_sealed,
    shell_json = excluded.shell_json, timeout_s = excluded.timeout_s, updated_at = excluded.updated_at;

-- name: host-hooks.delete
DELETE FROM host_hooks WHERE host_id = ?;

-- ---- repository health: locks, hosts, trends (RepoStore) ----

-- The locks a stats job listed, unless newer ones are there: args json, at, id, at.
-- name: repos.record-locks
UPDATE repos SET locks_json = ?, locks_checked_at = ?
WHERE id = ? AND (locks_checked_at IS NULL OR locks_checked_at <= ?);

-- name: repos.locks
SELECT locks_json, locks_checked_at FROM repos WHERE id = ?;

-- The hosts that back up to a repository, by name; arg repo.
-- name: host-repos.of-repo
SELECT h.id, COALESCE(h.name, h.hostname) AS name, h.hostname, h.online, h.disabled, l.role,
       (h.repo_id = l.repo_id) AS is_primary
FROM host_repos l JOIN hosts h ON h.id = l.host_id
WHERE l.repo_id = ?
ORDER BY COALESCE(h.name, h.hostname) COLLATE NOCASE, h.id
LIMIT 1000;

-- The newest stored size (raw-data) of a repository.
-- name: repo-stats.latest-raw
SELECT at, total_size, total_blob_count, total_uncompressed_size, compression_ratio, snapshot_count
FROM repo_stats WHERE repo_id = ? AND mode = 'raw-data' AND total_size IS NOT NULL ORDER BY seq DESC LIMIT 1;

-- The newest restore size (a full stats row, or a restore-size one).
-- name: repo-stats.latest-restore
SELECT at, COALESCE(restore_size, total_size) AS restore_size, total_file_count,
       CASE WHEN restore_size IS NOT NULL THEN total_size END AS stored_then
FROM repo_stats WHERE repo_id = ? AND (restore_size IS NOT NULL OR mode = 'restore-size') ORDER BY seq DESC LIMIT 1;

-- The size trend: the last points with a stored size, newest first; args repo, limit.
-- name: repo-stats.trend
SELECT at, total_size, snapshot_count FROM repo_stats
WHERE repo_id = ? AND mode = 'raw-data' AND total_size IS NOT NULL ORDER BY seq DESC LIMIT ?;

-- One full stats job: the stored size in total_size, the restore size beside it.
-- name: repo-stats.insert-full
INSERT OR IGNORE INTO repo_stats (repo_id, job_id, at, mode, total_size, total_file_count, snapshot_count,
                                  total_blob_count, total_uncompressed_size, compression_ratio, restore_size)
VALUES (?, ?, ?, 'raw-data', ?, ?, ?, ?, ?, ?, ?);

-- History stays bounded: older than the cutoff, only each day's last point per mode is kept; args repo, cutoff,
-- repo, cutoff.
-- name: repo-stats.thin
DELETE FROM repo_stats WHERE repo_id = ? AND at < ? AND seq NOT IN (
    SELECT MAX(seq) FROM repo_stats WHERE repo_id = ? AND at < ? GROUP BY substr(at, 1, 10), mode);

-- ...and at most a cap of points per repository, the oldest going first; args repo, repo, cap.
-- name: repo-stats.cap
DELETE FROM repo_stats WHERE repo_id = ? AND seq <= (
    SELECT seq FROM repo_stats WHERE repo_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?);

-- ---- index_trees, index_nodes, index_snapshots (IndexStore) ----

-- Which of these content ids (a JSON array) the host's index holds complete; args host, ids.
-- name: index.have
SELECT tree_id FROM index_trees WHERE host_id = ? AND complete = 1 AND tree_id IN (SELECT value FROM json_each(?));

-- name: index.tree
SELECT tid, entries, parts, received, complete FROM index_trees WHERE host_id = ? AND tree_id = ?;

-- name: index.tree-insert
INSERT INTO index_trees (host_id, tree_id, entries, parts, received, complete, created_at) VALUES (?, ?, 0, ?, 0, 0, ?)
RETURNING tid;

-- name: index.tree-delete
DELETE FROM index_trees WHERE tid = ?;

-- Args: entries added, tid.
-- name: index.tree-received
UPDATE index_trees SET entries = entries + ?, received = received + 1 WHERE tid = ?;

-- name: index.tree-complete
UPDATE index_trees SET complete = 1 WHERE tid = ?;

-- Entries the host's index holds (its quota counts these); args host.
-- name: index.host-entries
SELECT COALESCE(SUM(entries), 0) FROM index_trees WHERE host_id = ?;

-- The tid of a complete tree of the host; args host, content id.
-- name: index.complete-tid
SELECT tid FROM index_trees WHERE host_id = ? AND tree_id = ? AND complete = 1;

-- Args: tid, name, type, size, mtime, sub.
-- name: index.node-insert
INSERT INTO index_nodes (tid, name, type, size, mtime, sub) VALUES (?, ?, ?, ?, ?, ?);

-- A tree's entries as the content id is computed from them (subtrees by content id).
-- name: index.nodes-for-id
SELECT n.name, n.type, n.size, n.mtime, t.tree_id AS subtree
FROM index_nodes n LEFT JOIN index_trees t ON t.tid = n.sub
WHERE n.tid = ?;

-- Args: repo, snapshot, host, root tid, files, dirs, now.
-- name: index.snapshot-put
INSERT OR REPLACE INTO index_snapshots (repo_id, snapshot_id, host_id, root, files, dirs, indexed_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- Which of these snapshots (a JSON array of full ids) of a repository are indexed; args repo, ids.
-- name: index.indexed-of
SELECT snapshot_id FROM index_snapshots WHERE repo_id = ? AND snapshot_id IN (SELECT value FROM json_each(?));

-- name: index.snapshot
SELECT root, files, dirs, indexed_at FROM index_snapshots WHERE repo_id = ? AND snapshot_id = ? AND host_id = ?;

-- A directory level lists as the live agent lists it: directories first, then the other entries, each by name.
-- Pages go on after a name (keyset paging): index_nodes_dirs serves the first part, the primary key the second.
-- Args tid, after (a name, '' for the start), limit.
-- name: index.list-dirs
SELECT name, type, size, mtime FROM index_nodes WHERE tid = ? AND sub IS NOT NULL AND name > ? ORDER BY name LIMIT ?;

-- name: index.list-files
SELECT name, type, size, mtime FROM index_nodes WHERE tid = ? AND sub IS NULL AND name > ? ORDER BY name LIMIT ?;

-- One step of a path; args tid, name.
-- name: index.child
SELECT type, size, mtime, sub FROM index_nodes WHERE tid = ? AND name = ?;

-- What restoring a directory brings back: the entries below tree ?, a subtree shared by two directories counted
-- twice (restic restores both); files are the entries that are not directories.
-- name: index.subtree-totals
WITH RECURSIVE below (tid) AS (
    SELECT ?
    UNION ALL
    SELECT n.sub FROM index_nodes n JOIN below b ON n.tid = b.tid WHERE n.sub IS NOT NULL)
SELECT COALESCE(SUM(n.sub IS NULL), 0) AS files, COALESCE(SUM(n.sub IS NOT NULL), 0) AS dirs,
       COALESCE(SUM(CASE WHEN n.sub IS NULL THEN n.size ELSE 0 END), 0) AS bytes
FROM index_nodes n JOIN below b ON n.tid = b.tid;

-- Entries named exactly; args name, host, limit.
-- name: index.search-exact
SELECT n.tid, n.name, n.type, n.size, n.mtime FROM index_nodes n JOIN index_trees t ON t.tid = n.tid
WHERE n.name = ? AND t.host_id = ? AND t.complete = 1 LIMIT ?;

-- Entries whose name matches a GLOB (case-sensitive, index-assisted for a literal prefix); args glob, host, limit.
-- name: index.search-glob
SELECT n.tid, n.name, n.type, n.size, n.mtime FROM index_nodes n JOIN index_trees t ON t.tid = n.tid
WHERE n.name GLOB ? AND t.host_id = ? AND t.complete = 1 LIMIT ?;

-- Entries whose name contains the text, ASCII case-insensitively (LIKE with '\' escapes); args pattern, host, limit.
-- name: index.search-like
SELECT n.tid, n.name, n.type, n.size, n.mtime FROM index_nodes n JOIN index_trees t ON t.tid = n.tid
WHERE n.name LIKE ? ESCAPE '\' AND t.host_id = ? AND t.complete = 1 LIMIT ?;

-- The entries whose directory is one of these trees (a JSON array of tids): (parent tid, name, sub); args tids, limit.
-- name: index.parents
SELECT tid, name, sub FROM index_nodes WHERE sub IN (SELECT value FROM json_each(?)) LIMIT ?;

-- The host's indexed snapshots with their times, newest first; args host.
-- name: index.host-snapshots
SELECT i.root, i.repo_id, i.snapshot_id, s.short_id, s.time FROM index_snapshots i
JOIN snapshots s ON s.repo_id = i.repo_id AND s.id = i.snapshot_id
WHERE i.host_id = ? ORDER BY s.time_ns DESC;

-- Index rows of snapshots no longer in the projection (forgotten).
-- name: index.snapshots-forgotten
DELETE FROM index_snapshots WHERE NOT EXISTS (
    SELECT 1 FROM snapshots s WHERE s.repo_id = index_snapshots.repo_id AND s.id = index_snapshots.snapshot_id);

-- Trees no indexed snapshot reaches, older than the grace time (uploads in flight are younger); args before.
-- name: index.sweep
WITH RECURSIVE reach (tid) AS (
    SELECT root FROM index_snapshots
    UNION
    SELECT n.sub FROM index_nodes n JOIN reach r ON n.tid = r.tid WHERE n.sub IS NOT NULL)
DELETE FROM index_trees WHERE created_at < ? AND tid NOT IN (SELECT tid FROM reach);

-- name: index.counts
SELECT (SELECT COUNT(*) FROM index_trees) AS trees, (SELECT COUNT(*) FROM index_nodes) AS nodes;

-- ---- index_requests (IndexBackfill: background indexing of snapshots the index lacks) ----

-- Online, enabled hosts with own snapshots the index lacks: the ones background indexing may ask (one statement
-- for the fleet, so a round costs a query per host only for hosts with something to index).
-- name: index.backfill-hosts
SELECT DISTINCT h.id FROM hosts h
JOIN host_repos l ON l.host_id = h.id
JOIN snapshots s ON s.repo_id = l.repo_id AND s.hostname = h.hostname
WHERE h.online = 1 AND h.disabled = 0
  AND NOT EXISTS (SELECT 1 FROM index_snapshots i WHERE i.repo_id = s.repo_id AND i.snapshot_id = s.id)
ORDER BY h.id;

-- Requests of a host still in flight (asked since ?, the snapshot not indexed yet); args host, since ms.
-- name: index.backfill-in-flight
SELECT COUNT(*) FROM index_requests r WHERE r.host_id = ? AND r.asked_at > ?
  AND NOT EXISTS (SELECT 1 FROM index_snapshots i WHERE i.repo_id = r.repo_id AND i.snapshot_id = r.snapshot_id);

-- The host's own snapshots (restic hostname = the host's) in its repositories that the index lacks and that are due
-- (never asked, or their back-off is over), newest first; args host, now ms, limit.
-- name: index.backfill-due
SELECT s.repo_id, s.id FROM host_repos l
JOIN hosts h ON h.id = l.host_id
JOIN snapshots s ON s.repo_id = l.repo_id AND s.hostname = h.hostname
WHERE l.host_id = ?
  AND NOT EXISTS (SELECT 1 FROM index_snapshots i WHERE i.repo_id = s.repo_id AND i.snapshot_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM index_requests r WHERE r.repo_id = s.repo_id AND r.snapshot_id = s.id
                  AND r.next_at > ?)
ORDER BY s.time_ns DESC LIMIT ?;

-- The attempts so far for a snapshot; args repo, snapshot.
-- name: index.backfill-attempts
SELECT attempts FROM index_requests WHERE repo_id = ? AND snapshot_id = ?;

-- Args repo, snapshot, host, attempts, asked_at ms, next_at ms, result.
-- name: index.backfill-asked
INSERT OR REPLACE INTO index_requests (repo_id, snapshot_id, host_id, attempts, asked_at, next_at, last_result)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- Args result, repo, snapshot.
-- name: index.backfill-result
UPDATE index_requests SET last_result = ? WHERE repo_id = ? AND snapshot_id = ?;

-- Requests whose snapshot is indexed or gone from the projection.
-- name: index.backfill-done
DELETE FROM index_requests WHERE EXISTS (
    SELECT 1 FROM index_snapshots i WHERE i.repo_id = index_requests.repo_id
                                      AND i.snapshot_id = index_requests.snapshot_id)
  OR NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.repo_id = index_requests.repo_id
                                             AND s.id = index_requests.snapshot_id);

-- How many of a host's snapshots in a repository the index lacks (background indexing's progress); args repo, host.
-- name: index.pending
SELECT COUNT(*) FROM snapshots s WHERE s.repo_id = ? AND s.hostname = ?
  AND NOT EXISTS (SELECT 1 FROM index_snapshots i WHERE i.repo_id = s.repo_id AND i.snapshot_id = s.id);
