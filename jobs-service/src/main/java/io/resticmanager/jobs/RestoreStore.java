package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** SQL for restore jobs' source (whose repository they read); writes run inside a {@link JobStore#write}. */
final class RestoreStore {
    private final DbClient db;

    RestoreStore(JobStore jobs) {
        this.db = jobs.db();
    }

    /** Where a restore job reads from. */
    record Source(String jobId, String sourceHostId, String sourceRepoId, String targetHostId) {
        boolean crossHost() {
            return !sourceHostId.equals(targetHostId);
        }
    }

    Optional<Source> find(String jobId) {
        return db.execute().namedGet("restores.find", jobId)
                .map(r -> new Source(r.column("job_id").getString(), r.column("source_host_id").getString(),
                                     r.column("source_repo_id").getString(), r.column("target_host_id").getString()));
    }

    static void insert(JobStore.Tx tx, Source source) throws SQLException {
        tx.sql().update("restores.insert", source.jobId(), source.sourceHostId(), source.sourceRepoId(),
                        source.targetHostId());
    }

    /**
     * A restore job's summary names whose repository it read ({@code source_host_id}, {@code source_repo_id},
     * {@code cross_host}); other jobs' summaries are returned as they are.
     */
    static Map<String, Object> withSource(JobStore.Tx tx, String jobId, Map<String, Object> summary)
            throws SQLException {
        Optional<String[]> source = tx.sql().one("restores.source", rs -> new String[] {
                rs.getString("source_host_id"), rs.getString("source_repo_id"), rs.getString("target_host_id")}, jobId);
        if (source.isEmpty()) {
            return summary;
        }
        String[] s = source.get();
        Map<String, Object> out = new LinkedHashMap<>(summary == null ? Map.of() : summary);
        out.put("source_host_id", s[0]);
        out.put("source_repo_id", s[1]);
        out.put("cross_host", !s[0].equals(s[2]));
        return out;
    }
}
