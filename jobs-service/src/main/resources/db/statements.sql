-- jobs.db: every statement jobs-service runs, by name (reads through DbClient, writes through the store's one
-- writer, SqliteStore.write). Times are fixed-width UTC text (service-kit Times). Job status changes only move
-- forward (JobStatus.canMoveTo): to running from queued only, to a terminal status from queued or running.

-- ---- jobs -------------------------------------------------------------------------------------------------

-- name: jobs.find
SELECT seq, id, host_id, repo_id, kind, status, queued_reason, params_json, created_by_id, created_by, created_at,
       dispatched_at, started_at, finished_at, exit_code, summary_json, error, command_line, progress_json,
       cancel_requested, schedule_id, scheduled_for, runner_host_id
FROM jobs WHERE id = ?;

-- Newest first below a keyset cursor (seq < ?; Long.MAX_VALUE from the newest); status and kind filters are
-- passed twice each, NULL meaning "any".
-- name: jobs.list
SELECT seq, id, host_id, repo_id, kind, status, queued_reason, params_json, created_by_id, created_by, created_at,
       dispatched_at, started_at, finished_at, exit_code, summary_json, error, command_line, progress_json,
       cancel_requested, schedule_id, scheduled_for, runner_host_id
FROM jobs
WHERE (? IS NULL OR status = ?) AND (? IS NULL OR kind = ?) AND seq < ?
ORDER BY seq DESC LIMIT ?;

-- As jobs.list, for one host (host_id = ? first, so the jobs_host index serves it).
-- name: jobs.list-for-host
SELECT seq, id, host_id, repo_id, kind, status, queued_reason, params_json, created_by_id, created_by, created_at,
       dispatched_at, started_at, finished_at, exit_code, summary_json, error, command_line, progress_json,
       cancel_requested, schedule_id, scheduled_for, runner_host_id
FROM jobs
WHERE host_id = ? AND (? IS NULL OR status = ?) AND (? IS NULL OR kind = ?) AND seq < ?
ORDER BY seq DESC LIMIT ?;

-- name: jobs.waiting
SELECT seq, id, host_id, repo_id, kind, status, queued_reason, params_json, created_by_id, created_by, created_at,
       dispatched_at, started_at, finished_at, exit_code, summary_json, error, command_line, progress_json,
       cancel_requested, schedule_id, scheduled_for, runner_host_id
FROM jobs WHERE status = 'queued' AND dispatched_at IS NULL ORDER BY seq;

-- name: jobs.busy-repos
SELECT DISTINCT repo_id FROM jobs
WHERE repo_id IS NOT NULL AND (status = 'running' OR (status = 'queued' AND dispatched_at IS NOT NULL));

-- name: jobs.unacknowledged-since
SELECT id FROM jobs WHERE status = 'queued' AND dispatched_at IS NOT NULL AND dispatched_at < ?;

-- name: jobs.running-on-offline-hosts
SELECT j.id FROM jobs j JOIN hosts h ON h.host_id = COALESCE(j.runner_host_id, j.host_id)
WHERE j.status = 'running' AND h.online = 0 AND h.changed_at < ?;

-- name: jobs.cancels-pending
SELECT id FROM jobs
WHERE COALESCE(runner_host_id, host_id) = ? AND cancel_requested = 1 AND status IN ('queued', 'running')
  AND (status = 'running' OR dispatched_at IS NOT NULL);

-- name: jobs.insert
INSERT INTO jobs (id, host_id, repo_id, kind, status, queued_reason, params_json, created_by_id, created_by,
                  created_at)
VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?);

-- The host whose agent runs the job (and so the only one whose events count for it).
-- name: jobs.owner
SELECT COALESCE(runner_host_id, host_id) AS host_id, log_lines, log_bytes, log_truncated FROM jobs WHERE id = ?;

-- name: jobs.save-budget
UPDATE jobs SET log_lines = ?, log_bytes = ?, log_truncated = ? WHERE id = ?;

-- queued → running only (JobStatus.canMoveTo(RUNNING)).
-- name: jobs.to-running
UPDATE jobs SET status = 'running', queued_reason = NULL, started_at = COALESCE(started_at, ?),
                command_line = COALESCE(?, command_line)
WHERE id = ? AND status = 'queued';

-- name: jobs.fill-ack
UPDATE jobs SET started_at = COALESCE(started_at, ?), command_line = COALESCE(command_line, ?) WHERE id = ?;

-- To a terminal status (the first argument) from a status that is not terminal yet.
-- name: jobs.to-terminal
UPDATE jobs SET status = ?, queued_reason = NULL, exit_code = ?, summary_json = ?, error = ?, finished_at = ?
WHERE id = ? AND status IN ('queued', 'running');

-- A finished drill (from its job row: host, repository, the host that ran it); args: status, snapshot_id,
-- snapshot_time, files_sampled, files_restored, bytes_restored, verified, mismatched, duration_ms, bytes_per_second,
-- finished_at, job id.
-- name: drills.insert
INSERT OR IGNORE INTO drills (job_id, host_id, repo_id, runner_host_id, status, snapshot_id, snapshot_time,
                              files_sampled, files_restored, bytes_restored, verified, mismatched, duration_ms,
                              bytes_per_second, finished_at)
SELECT id, host_id, repo_id, runner_host_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM jobs WHERE id = ?;

-- name: jobs.host-and-kind
SELECT host_id, kind, repo_id FROM jobs WHERE id = ?;

-- name: jobs.progress
UPDATE jobs SET progress_json = ?, progress_seq = ?
WHERE id = ? AND progress_seq < ? AND status IN ('queued', 'running');

-- name: jobs.handed-over-before
SELECT id, status FROM jobs
WHERE COALESCE(runner_host_id, host_id) = ? AND dispatched_at IS NOT NULL AND dispatched_at < ? AND status IN ('queued', 'running');

-- name: jobs.set-runner
UPDATE jobs SET runner_host_id = ? WHERE id = ? AND dispatched_at IS NULL;

-- name: jobs.mark-dispatched
UPDATE jobs SET dispatched_at = ?, queued_reason = NULL WHERE id = ? AND status = 'queued' AND dispatched_at IS NULL;

-- name: jobs.undispatch
UPDATE jobs SET dispatched_at = NULL, queued_reason = ? WHERE id = ? AND status = 'queued';

-- name: jobs.queued-reason
UPDATE jobs SET queued_reason = ?
WHERE id = ? AND status = 'queued' AND dispatched_at IS NULL AND queued_reason IS NOT ?;

-- name: jobs.is-waiting
SELECT 1 FROM jobs WHERE id = ? AND status = 'queued' AND dispatched_at IS NULL;

-- name: jobs.request-cancel
UPDATE jobs SET cancel_requested = 1 WHERE id = ?;

-- name: jobs.mark-scheduled
UPDATE jobs SET schedule_id = ?, scheduled_for = ? WHERE id = ?;

-- ---- job_logs ---------------------------------------------------------------------------------------------

-- De-duplicates by (job_id, seq): a stored seq changes nothing (change count 0).
-- name: job-logs.add
INSERT OR IGNORE INTO job_logs (job_id, seq, ts, stream, line) VALUES (?, ?, ?, ?, ?);

-- name: job-logs.after
SELECT seq, ts, stream, line FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?;

-- name: job-logs.after-without-progress
SELECT seq, ts, stream, line FROM job_logs WHERE job_id = ? AND seq > ? AND stream <> 'progress' ORDER BY seq LIMIT ?;

-- name: job-logs.seqs
SELECT seq FROM job_logs WHERE job_id = ? ORDER BY seq;

-- The logs of at most a limit of jobs that finished before a cutoff.
-- name: job-logs.purge
DELETE FROM job_logs WHERE job_id IN (
    SELECT j.id FROM jobs j
    WHERE j.finished_at IS NOT NULL AND j.finished_at < ? AND EXISTS (SELECT 1 FROM job_logs l WHERE l.job_id = j.id)
    LIMIT ?);

-- ---- hosts ------------------------------------------------------------------------------------------------

-- name: hosts.presence
SELECT host_id, online FROM hosts;

-- name: hosts.online
SELECT online FROM hosts WHERE host_id = ?;

-- Applies a presence report unless a newer one was applied already.
-- name: hosts.report
INSERT INTO hosts (host_id, online, changed_at) VALUES (?, ?, ?)
ON CONFLICT (host_id) DO UPDATE SET online = excluded.online, changed_at = excluded.changed_at
WHERE excluded.changed_at >= hosts.changed_at;

-- ---- pending_results --------------------------------------------------------------------------------------

-- name: pending-results.due
SELECT job_id, host_id, body_json, attempts FROM pending_results WHERE next_at <= ? ORDER BY next_at LIMIT ?;

-- name: pending-results.count
SELECT COUNT(*) AS n FROM pending_results;

-- name: pending-results.put
INSERT OR REPLACE INTO pending_results (job_id, host_id, body_json, attempts, next_at) VALUES (?, ?, ?, 0, ?);

-- name: pending-results.delete
DELETE FROM pending_results WHERE job_id = ?;

-- name: pending-results.retry
UPDATE pending_results SET attempts = ?, next_at = ? WHERE job_id = ?;

-- ---- schedules --------------------------------------------------------------------------------------------

-- name: schedules.find
SELECT id, host_id, name, cron, timezone, kind, params_json, enabled, created_by, created_at, updated_at, repo_id
FROM schedules WHERE id = ?;

-- Every schedule, or one host's (the host passed twice, NULL meaning all).
-- name: schedules.list
SELECT id, host_id, name, cron, timezone, kind, params_json, enabled, created_by, created_at, updated_at, repo_id
FROM schedules WHERE (? IS NULL OR host_id = ?) ORDER BY host_id, created_at, id;

-- The newest job of each schedule (of one host passed twice, or all with NULL).
-- name: schedules.last-runs
SELECT j.schedule_id, j.id, j.status, j.created_at, j.started_at, j.finished_at FROM jobs j
JOIN (SELECT MAX(seq) AS seq FROM jobs WHERE schedule_id IS NOT NULL AND (? IS NULL OR host_id = ?)
      GROUP BY schedule_id) l ON l.seq = j.seq;

-- name: schedules.fired-for
SELECT 1 AS x FROM jobs WHERE schedule_id = ? AND scheduled_for = ?;

-- name: schedules.insert
INSERT INTO schedules (id, host_id, name, cron, timezone, kind, params_json, enabled, created_by, created_at,
                       updated_at, repo_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: schedules.update
UPDATE schedules SET name = ?, cron = ?, timezone = ?, kind = ?, params_json = ?, enabled = ?, updated_at = ?,
                     repo_id = ?
WHERE id = ?;

-- name: schedules.delete
DELETE FROM schedules WHERE id = ?;

-- ---- schedule_sync ----------------------------------------------------------------------------------------

-- name: schedule-sync.due
SELECT host_id, version FROM schedule_sync WHERE pushed < version;

-- name: schedule-sync.changed
INSERT INTO schedule_sync (host_id, version) VALUES (?, 1) ON CONFLICT (host_id) DO UPDATE SET version = version + 1;

-- name: schedule-sync.host-online
UPDATE schedule_sync SET version = version + 1 WHERE host_id = ?;

-- name: schedule-sync.synced
UPDATE schedule_sync SET pushed = ?, pushed_at = ? WHERE host_id = ? AND pushed < ?;

-- ---- schedule_fires ---------------------------------------------------------------------------------------

-- name: schedule-fires.due
SELECT job_id, host_id, schedule_id, fired_at, catch_up, attempts FROM schedule_fires
WHERE next_at <= ? ORDER BY received_at LIMIT ?;

-- name: schedule-fires.record
INSERT OR IGNORE INTO schedule_fires (job_id, host_id, schedule_id, fired_at, catch_up, received_at, next_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: schedule-fires.done
DELETE FROM schedule_fires WHERE job_id = ?;

-- name: schedule-fires.retry
UPDATE schedule_fires SET attempts = ?, next_at = ? WHERE job_id = ?;

-- name: schedule-fires.count
SELECT COUNT(*) AS n FROM schedule_fires;

-- ---- restores ---------------------------------------------------------------------------------------------

-- name: restores.find
SELECT job_id, source_host_id, source_repo_id, target_host_id FROM restores WHERE job_id = ?;

-- name: restores.insert
INSERT INTO restores (job_id, source_host_id, source_repo_id, target_host_id) VALUES (?, ?, ?, ?);

-- name: restores.source
SELECT source_host_id, source_repo_id, target_host_id FROM restores WHERE job_id = ?;

-- ---- metrics (JobsMetrics, GET /internal/metrics) ---------------------------------------------------------

-- name: metrics.jobs-by-status
SELECT status, COUNT(*) AS n FROM jobs GROUP BY status;

-- Finished jobs' run time per kind, as cumulative histogram buckets b0..b6; the bounds must equal
-- JobsMetrics.BUCKETS (1, 5, 15, 60, 300, 900, 3600 s). Durations are rounded to the stored millisecond, so a
-- 5 s job lands in le="5".
-- name: metrics.durations
SELECT kind, COUNT(*) AS n, SUM(d) AS total,
       SUM(d <= 1) AS b0, SUM(d <= 5) AS b1, SUM(d <= 15) AS b2, SUM(d <= 60) AS b3, SUM(d <= 300) AS b4,
       SUM(d <= 900) AS b5, SUM(d <= 3600) AS b6
FROM (SELECT kind, ROUND((julianday(finished_at) - julianday(started_at)) * 86400.0, 3) AS d FROM jobs
      WHERE finished_at IS NOT NULL AND started_at IS NOT NULL)
GROUP BY kind ORDER BY kind;

-- Per host, its most recently finished backup job (SQLite takes the bare columns from the MAX row).
-- name: metrics.last-backups
SELECT host_id, status, MAX(finished_at) AS finished_at FROM jobs
WHERE kind = 'backup' AND finished_at IS NOT NULL
GROUP BY host_id ORDER BY host_id;

-- ---- offline runs: jobs an agent ran from its schedule while the server was unreachable ----

-- name: jobs.exists
SELECT 1 FROM jobs WHERE id = ?;

-- name: schedules.host-name-params
SELECT host_id, name, params_json FROM schedules WHERE id = ?;

-- Handed over and running from the moment it fired (its own ack and finish follow in the agent's events).
-- name: jobs.mark-offline-run
UPDATE jobs SET status = 'running', dispatched_at = ?, queued_reason = NULL WHERE id = ? AND status = 'queued';

-- ---- a removed host: its schedules go, its waiting jobs are cancelled ----

-- name: schedules.delete-for-host
DELETE FROM schedules WHERE host_id = ?;

-- name: jobs.waiting-of-host
SELECT id FROM jobs WHERE host_id = ? AND status = 'queued';

-- ---- alerts (package io.resticmanager.jobs.alerts) ------------------------------------------------------------

-- name: hosts.forget
DELETE FROM hosts WHERE host_id = ?;

-- name: alert-rules.list
SELECT rule, enabled, severity, threshold_s, renotify_s FROM alert_rules ORDER BY rule;

-- name: alert-rules.update
UPDATE alert_rules SET enabled = ?, severity = ?, threshold_s = ?, renotify_s = ? WHERE rule = ?;

-- name: alert-overrides.list
SELECT rule, subject, enabled, threshold_s FROM alert_overrides ORDER BY rule, subject;

-- name: alert-overrides.put
INSERT INTO alert_overrides (rule, subject, enabled, threshold_s) VALUES (?, ?, ?, ?)
ON CONFLICT (rule, subject) DO UPDATE SET enabled = excluded.enabled, threshold_s = excluded.threshold_s;

-- name: alert-overrides.delete
DELETE FROM alert_overrides WHERE rule = ? AND subject = ?;

-- name: alerts.find
SELECT id, rule, subject, severity, state, host_id, schedule_id, repo_id, job_id, summary, fired_at, acked_at,
       acked_by, resolved_at, resolved_by, last_notified_at
FROM alerts WHERE id = ?;

-- name: alerts.open-for
SELECT id, rule, subject, severity, state, host_id, schedule_id, repo_id, job_id, summary, fired_at, acked_at,
       acked_by, resolved_at, resolved_by, last_notified_at
FROM alerts WHERE rule = ? AND subject = ? AND state <> 'resolved';

-- name: alerts.open
SELECT id, rule, subject, severity, state, host_id, schedule_id, repo_id, job_id, summary, fired_at, acked_at,
       acked_by, resolved_at, resolved_by, last_notified_at
FROM alerts WHERE state <> 'resolved' ORDER BY fired_at;

-- Firing first, then acknowledged, then resolved; newest first within each. state and host_id passed twice (NULL = any).
-- name: alerts.list
SELECT id, rule, subject, severity, state, host_id, schedule_id, repo_id, job_id, summary, fired_at, acked_at,
       acked_by, resolved_at, resolved_by, last_notified_at
FROM alerts
WHERE (? IS NULL OR state = ?) AND (? IS NULL OR host_id = ?)
ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, fired_at DESC
LIMIT ?;

-- name: alerts.insert
INSERT INTO alerts (id, rule, subject, severity, state, host_id, schedule_id, repo_id, job_id, summary, fired_at,
                    updated_at)
VALUES (?, ?, ?, ?, 'firing', ?, ?, ?, ?, ?, ?, ?);

-- name: alerts.refresh
UPDATE alerts SET summary = ?, job_id = COALESCE(?, job_id), updated_at = ? WHERE id = ? AND state <> 'resolved';

-- name: alerts.ack
UPDATE alerts SET state = 'acknowledged', acked_at = ?, acked_by = ?, updated_at = ? WHERE id = ? AND state = 'firing';

-- name: alerts.resolve
UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = ?, updated_at = ?
WHERE id = ? AND state <> 'resolved';

-- name: alerts.notified
UPDATE alerts SET last_notified_at = ? WHERE id = ?;

-- name: alerts.firing-counts
SELECT rule, severity, COUNT(*) AS n FROM alerts WHERE state = 'firing' GROUP BY rule, severity;

-- name: alert-history.add
INSERT INTO alert_history (alert_id, at, state, by, note) VALUES (?, ?, ?, ?, ?);

-- name: alert-history.of
SELECT at, state, by, note FROM alert_history WHERE alert_id = ? ORDER BY seq;

-- name: alert-silences.list
SELECT id, rule, host_id, until, reason, created_by, created_at FROM alert_silences WHERE until > ? ORDER BY until;

-- name: alert-silences.insert
INSERT INTO alert_silences (id, rule, host_id, until, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: alert-silences.delete
DELETE FROM alert_silences WHERE id = ?;

-- A silence matches when its rule and host are unset or equal; args: now, rule, host_id.
-- name: alert-silences.matching
SELECT id FROM alert_silences
WHERE until > ? AND (rule IS NULL OR rule = ?) AND (host_id IS NULL OR host_id = ?) LIMIT 1;

-- name: alert-channels.list
SELECT id, name, kind, settings_sealed, settings_redacted, rules_json, min_severity, enabled, created_at
FROM alert_channels ORDER BY name;

-- name: alert-channels.find
SELECT id, name, kind, settings_sealed, settings_redacted, rules_json, min_severity, enabled, created_at
FROM alert_channels WHERE id = ?;

-- name: alert-channels.insert
INSERT INTO alert_channels (id, name, kind, settings_sealed, settings_redacted, rules_json, min_severity, enabled,
                            created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: alert-channels.update
UPDATE alert_channels SET name = ?, settings_sealed = ?, settings_redacted = ?, rules_json = ?, min_severity = ?,
                          enabled = ?
WHERE id = ?;

-- name: alert-channels.delete
DELETE FROM alert_channels WHERE id = ?;

-- name: alert-channels.name-taken
SELECT id FROM alert_channels WHERE name = ? AND id <> ?;

-- name: alert-deliveries.add
INSERT INTO alert_deliveries (alert_id, channel_id, state, body_json, status, next_at, created_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?);

-- name: alert-deliveries.due
SELECT id, alert_id, channel_id, state, body_json, attempts, created_at FROM alert_deliveries
WHERE status = 'pending' AND next_at <= ? ORDER BY id LIMIT ?;

-- Whether a delivery read by a pass is still untouched: a sender that finished between that pass's read and its
-- claim has already marked it sent or moved it on (attempts: what the pass read).
-- name: alert-deliveries.still-due
SELECT COUNT(*) AS n FROM alert_deliveries WHERE id = ? AND status = 'pending' AND attempts = ?;

-- name: alert-deliveries.next-due
SELECT next_at FROM alert_deliveries WHERE status = 'pending' ORDER BY next_at LIMIT 1;

-- name: alert-deliveries.sent
UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?;

-- name: alert-deliveries.retry
UPDATE alert_deliveries SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?;

-- name: alert-deliveries.failed
UPDATE alert_deliveries SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?;

-- Newest first; channel_id passed twice (NULL = every channel).
-- name: alert-deliveries.list
SELECT id, alert_id, channel_id, state, status, attempts, next_at, last_error, created_at, sent_at
FROM alert_deliveries WHERE (? IS NULL OR channel_id = ?) ORDER BY id DESC LIMIT ?;

-- name: alert-deliveries.drop-channel
UPDATE alert_deliveries SET status = 'failed', last_error = 'channel deleted' WHERE channel_id = ? AND status = 'pending';

-- ---- facts the periodic rules read ----

-- name: alert-facts.offline-hosts
SELECT host_id, changed_at FROM hosts WHERE online = 0;

-- name: alert-facts.host-online
SELECT host_id FROM hosts WHERE online = 1;

-- name: alert-facts.backup-schedules
SELECT id, host_id, cron, timezone, created_at FROM schedules WHERE enabled = 1 AND kind = 'backup';

-- name: alert-facts.last-good-backup
SELECT host_id, MAX(finished_at) AS finished_at FROM jobs
WHERE kind = 'backup' AND status IN ('succeeded', 'succeeded_with_warnings') GROUP BY host_id;

-- Each host's newest snapshot a passing drill proved ("restorable as of").
-- name: alert-facts.restorable
SELECT host_id, MAX(snapshot_time) AS snapshot_time FROM drills
WHERE status = 'succeeded' AND snapshot_time IS NOT NULL GROUP BY host_id;

-- Each host's latest drill, whatever its outcome.
-- name: alert-facts.last-drill
SELECT d.host_id, d.job_id, d.status, d.finished_at FROM drills d
WHERE d.job_id = (SELECT e.job_id FROM drills e WHERE e.host_id = d.host_id ORDER BY e.finished_at DESC, e.job_id
                  LIMIT 1);

-- name: alert-facts.known-hosts
SELECT host_id FROM hosts;

-- name: alert-deliveries.count
SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = ?;

-- host_id passed twice (NULL = the whole fleet).
-- name: alerts.firing-count
SELECT COUNT(*) AS n FROM alerts WHERE state = 'firing' AND (? IS NULL OR host_id = ?);

-- name: hosts.versions
UPDATE hosts SET agent_version = ?, restic_version = ? WHERE host_id = ?;

-- name: alert-facts.versions
SELECT host_id, agent_version, restic_version FROM hosts WHERE agent_version IS NOT NULL OR restic_version IS NOT NULL;

-- ---- a backup schedule's own hooks ----

-- name: schedule-hooks.find
SELECT pre_sealed, post_sealed FROM schedule_hooks WHERE schedule_id = ?;

-- name: schedule-hooks.put
INSERT INTO schedule_hooks (schedule_id, pre_sealed, post_sealed, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (schedule_id) DO UPDATE SET pre_sealed = excluded.pre_sealed, post_sealed = excluded.post_sealed,
    updated_at = excluded.updated_at;

-- name: schedule-hooks.delete
DELETE FROM schedule_hooks WHERE schedule_id = ?;

-- Hooks whose schedule is gone (a removed host's schedules go in one statement).
-- name: schedule-hooks.orphans
DELETE FROM schedule_hooks WHERE schedule_id NOT IN (SELECT id FROM schedules);

-- ---- stats refresh (StatsRefresher) ----

-- A repository's stats are due: args repo, host, now, now (a row already there keeps its first_at).
-- name: stats-refresh.mark
INSERT INTO stats_refresh (repo_id, host_id, first_at, last_at) VALUES (?, ?, ?, ?)
ON CONFLICT (repo_id) DO UPDATE SET host_id = excluded.host_id, last_at = excluded.last_at;

-- Rows whose quiet time passed (last_at ≤ arg 1) or that waited long enough (first_at ≤ arg 2).
-- name: stats-refresh.due
SELECT repo_id, host_id, first_at, last_at FROM stats_refresh WHERE last_at <= ? OR first_at <= ? ORDER BY first_at
LIMIT 100;

-- Done with a row, unless a newer mark arrived meanwhile: args repo, the last_at it was read with.
-- name: stats-refresh.done
DELETE FROM stats_refresh WHERE repo_id = ? AND last_at = ?;

-- A stats job of this repository that has not ended yet (it will see every change made before it runs).
-- name: jobs.stats-waiting-for-repo
SELECT id FROM jobs WHERE repo_id = ? AND kind = 'stats' AND status IN ('queued', 'running') LIMIT 1;

-- When the repository last had a stats job measure its restore size too (stats_mode absent), successfully.
-- name: jobs.last-full-stats
SELECT MAX(finished_at) AS at FROM jobs WHERE repo_id = ? AND kind = 'stats'
AND status IN ('succeeded', 'succeeded_with_warnings') AND json_extract(params_json, '$.stats_mode') IS NULL;

-- A diff job's entries (log lines of stream 'diff'), in order: args job, after seq, limit.
-- name: job-logs.diff-after
SELECT seq, line FROM job_logs WHERE job_id = ? AND seq > ? AND stream = 'diff' ORDER BY seq LIMIT ?;
