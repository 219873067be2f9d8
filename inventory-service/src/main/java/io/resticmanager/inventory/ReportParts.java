package io.resticmanager.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Staging of multi-part snapshot reports ({@code snapshot_report_parts}) and the reports already
 * done with ({@code snapshot_reports_done}). SQL only, inside the caller's transaction.
 */
final class ReportParts {
    private static final TypeReference<List<SnapshotInfo>> SNAPSHOTS = new TypeReference<>() {
    };

    private ReportParts() {
    }

    /** What the first staged part of a report says about all of them. */
    record Header(int parts, String repoId, String hostId) {
    }

    /** Every part's snapshots in part order, and the report's time (its earliest part's). */
    record Assembled(List<SnapshotInfo> snapshots, Instant at) {
    }

    static boolean done(Connection c, String reportId) throws SQLException {
        return Db.exists(c, "SELECT 1 FROM snapshot_reports_done WHERE report_id = ?", reportId);
    }

    static void markDone(Connection c, String reportId, Instant now) throws SQLException {
        Db.update(c, "INSERT OR IGNORE INTO snapshot_reports_done (report_id, done_at) VALUES (?, ?)", reportId,
                  Db.time(now));
    }

    static Optional<Header> header(Connection c, String reportId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT parts, repo_id, host_id FROM snapshot_report_parts WHERE report_id = ? LIMIT 1")) {
            Db.bind(ps, reportId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Header(rs.getInt(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    /** Stores one part; a repeat keeps the first copy (and its time) and only refreshes {@code received_at}. */
    static void stage(Connection c, Message.SnapshotsReport part, String hostId, Instant at, Instant now)
            throws SQLException {
        Db.update(c, "INSERT INTO snapshot_report_parts (report_id, part, parts, repo_id, host_id, at, received_at, "
                          + "snapshots) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report_id, part) DO UPDATE SET "
                          + "received_at = excluded.received_at",
                  part.reportId(), part.part(), part.parts(), part.repoId(), hostId, Db.time(at), Db.time(now),
                  Json.write(part.snapshots()));
    }

    static int count(Connection c, String reportId) throws SQLException {
        String n = Db.queryString(c, "SELECT COUNT(*) FROM snapshot_report_parts WHERE report_id = ?", reportId);
        return n == null ? 0 : Integer.parseInt(n);
    }

    static Assembled assemble(Connection c, String reportId) throws SQLException {
        List<SnapshotInfo> all = new ArrayList<>();
        String earliest = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT at, snapshots FROM snapshot_report_parts WHERE report_id = ? ORDER BY part")) {
            Db.bind(ps, reportId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String at = rs.getString(1);
                    earliest = earliest == null || at.compareTo(earliest) < 0 ? at : earliest;
                    try {
                        all.addAll(Json.MAPPER.readValue(rs.getString(2), SNAPSHOTS));
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("corrupt staged snapshot report " + reportId, e);
                    }
                }
            }
        }
        return new Assembled(all, Db.instant(earliest));
    }

    /** Drops the report's staged parts and remembers it as done. */
    static void finish(Connection c, String reportId, Instant now) throws SQLException {
        Db.update(c, "DELETE FROM snapshot_report_parts WHERE report_id = ?", reportId);
        markDone(c, reportId, now);
    }

    /**
     * Drops incomplete reports that got no part since {@code staleBefore} (their agent went away or
     * sent a newer list instead), and forgets done reports older than {@code doneBefore}.
     */
    static void purge(Connection c, Instant staleBefore, Instant doneBefore) throws SQLException {
        String cutoff = Db.time(staleBefore);
        // cheap check on the index first: almost always nothing is stale
        if (Db.exists(c, "SELECT 1 FROM snapshot_report_parts WHERE received_at < ? LIMIT 1", cutoff)) {
            Db.update(c, "DELETE FROM snapshot_report_parts WHERE report_id IN (SELECT report_id FROM "
                    + "snapshot_report_parts GROUP BY report_id HAVING MAX(received_at) < ?)", cutoff);
        }
        Db.update(c, "DELETE FROM snapshot_reports_done WHERE done_at < ?", Db.time(doneBefore));
    }
}
