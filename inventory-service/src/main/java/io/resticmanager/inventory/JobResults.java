package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.internal.HostEvents;

import io.resticmanager.proto.view.HostView;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What inventory keeps from finished jobs ({@code POST /internal/hosts/{id}/job-result}):
 * backup → the host's last_backup; stats → a repo_stats history row; check → the repo's last check; drill → the host's
 * last_drill.
 * Replays are harmless (newest result wins; stats rows are unique per job).
 */
final class JobResults {
    private final HostStore hosts;
    private final RepoStore repos;
    private final Clock clock;

    JobResults(HostStore hosts, RepoStore repos, Clock clock) {
        this.hosts = hosts;
        this.repos = repos;
        this.clock = clock;
    }

    void apply(String hostId, HostEvents.JobResult result) {
        if (result.jobId() == null || result.jobId().isBlank() || result.kind() == null || result.status() == null) {
            throw Problem.unprocessable("job_id, kind and status are required");
        }
        HostView host = hosts.find(hostId).orElseThrow(() -> Problem.notFound("no host " + hostId));
        Instant finishedAt = result.finishedAt() == null ? clock.instant() : result.finishedAt();
        Map<String, Object> summary = result.summary() == null ? Map.of() : result.summary();
        boolean succeeded = result.status().equals("succeeded") || result.status().equals("succeeded_with_warnings");
        // the job's own repository (a host may have several); results from before that field: the primary one
        String repoId = result.repoId() != null ? result.repoId() : host.repoId();
        if (repoId != null && !hosts.linked(hostId, repoId)) {
            repoId = null; // a repository this host does not back up to: its stats and checks are not the host's to set
        }
        if (repoId != null && (result.kind().equals("backup") || result.kind().equals("copy"))) {
            hosts.recordOnLink(hostId, repoId, result.kind(), result.jobId(), result.status(), finishedAt);
        }
        switch (result.kind()) {
            case "backup" -> hosts.recordBackup(hostId, new HostView.LastBackup(
                    result.jobId(), result.status(), finishedAt, number(summary, "data_added"),
                    summary.get("snapshot_id") instanceof String s ? s : null));
            case "stats" -> {
                if (repoId != null && summary.get("locks") instanceof List<?> locks) {
                    // also from a stats job that failed on a lock: the lock is what to show
                    repos.recordLocks(repoId, finishedAt, locksJson(summary, locks));
                }
                if (succeeded && repoId != null && !summary.isEmpty()) {
                    stats(repoId, result.jobId(), finishedAt, summary);
                }
            }
            case "drill" -> hosts.recordDrill(hostId, new HostView.LastDrill(
                    result.jobId(), result.status(), finishedAt,
                    summary.get("snapshot_id") instanceof String s ? s : null));
            case "check" -> {
                if (repoId != null) {
                    repos.recordCheck(repoId, finishedAt, result.status());
                }
            }
            default -> {
            }
        }
    }

    /**
     * restic {@code stats --json}: restore-size mode gives total_size (of all files in all snapshots) and
     * total_file_count; raw-data mode gives total_size as stored, total_blob_count and, with compression
     * (repo v2, restic ≥ 0.16), total_uncompressed_size and compression_ratio. An explicit "mode" wins.
     */
    private void stats(String repoId, String jobId, Instant at, Map<String, Object> summary) {
        Object ratio = summary.get("compression_ratio");
        if (summary.containsKey("raw_data_size")) {
            // the agent's full stats: restore size in total_size, the stored size as raw_data_size
            repos.insertFullStats(repoId, jobId, at, number(summary, "raw_data_size"), number(summary, "total_size"),
                                  number(summary, "total_file_count"), number(summary, "snapshots_count"),
                                  number(summary, "total_blob_count"), number(summary, "total_uncompressed_size"),
                                  ratio instanceof Number n ? n.doubleValue() : null);
            return;
        }
        String mode = summary.get("mode") instanceof String m ? m
                : summary.containsKey("total_blob_count") || summary.containsKey("total_uncompressed_size")
                || summary.containsKey("compression_ratio") ? "raw-data" : "restore-size";
        repos.insertStats(repoId, jobId, at, mode, number(summary, "total_size"), number(summary, "total_file_count"),
                          number(summary, "snapshots_count"), number(summary, "total_blob_count"),
                          number(summary, "total_uncompressed_size"),
                          ratio instanceof Number n ? n.doubleValue() : null);
    }

    /** The agent's lock report as stored: {count, stale, items:[{id, time, exclusive, hostname, username, pid, stale}]}. */
    private static String locksJson(Map<String, Object> summary, List<?> locks) {
        List<Repo.Lock> items = new java.util.ArrayList<>();
        for (Object o : locks) {
            if (items.size() == 20 || !(o instanceof Map<?, ?> m) || !(m.get("id") instanceof String id)) {
                continue;
            }
            Instant time = null;
            try {
                time = m.get("time") instanceof String t ? Instant.parse(t) : null;
            } catch (java.time.format.DateTimeParseException e) {
                // a hostile or odd time shows as unknown
            }
            items.add(new Repo.Lock(cut(id), time, Boolean.TRUE.equals(m.get("exclusive")), cut(m.get("hostname")),
                                    cut(m.get("username")), m.get("pid") instanceof Number n ? n.longValue() : null,
                                    Boolean.TRUE.equals(m.get("stale"))));
        }
        Long count = number(summary, "lock_count");
        Long stale = number(summary, "stale_lock_count");
        return io.resticmanager.proto.Json.write(new Repo.Locks(null, count == null ? items.size() : count,
                stale == null ? items.stream().filter(Repo.Lock::stale).count() : stale, items));
    }

    /** A text the agent sent, bounded. */
    private static String cut(Object value) {
        String s = value instanceof String t ? t : "";
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static Long number(Map<String, Object> summary, String key) {
        return summary.get(key) instanceof Number n ? n.longValue() : null;
    }
}
