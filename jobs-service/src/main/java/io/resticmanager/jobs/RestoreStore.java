package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        return db.execute().get("SELECT job_id, source_host_id, source_repo_id, target_host_id FROM restores "
                                        + "WHERE job_id = ?", jobId)
                .map(r -> new Source(r.column("job_id").getString(), r.column("source_host_id").getString(),
                                     r.column("source_repo_id").getString(), r.column("target_host_id").getString()));
    }

    static void insert(JobStore.Tx tx, Source source) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "INSERT INTO restores (job_id, source_host_id, source_repo_id, target_host_id) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, source.jobId());
            ps.setString(2, source.sourceHostId());
            ps.setString(3, source.sourceRepoId());
            ps.setString(4, source.targetHostId());
            ps.executeUpdate();
        }
    }

    /**
     * A restore job's summary names whose repository it read ({@code source_host_id}, {@code source_repo_id},
     * {@code cross_host}); other jobs' summaries are returned as they are.
     */
    static Map<String, Object> withSource(JobStore.Tx tx, String jobId, Map<String, Object> summary)
            throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "SELECT source_host_id, source_repo_id, target_host_id FROM restores WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return summary;
                }
                Map<String, Object> out = new LinkedHashMap<>(summary == null ? Map.of() : summary);
                out.put("source_host_id", rs.getString(1));
                out.put("source_repo_id", rs.getString(2));
                out.put("cross_host", !rs.getString(1).equals(rs.getString(3)));
                return out;
            }
        }
    }
}
