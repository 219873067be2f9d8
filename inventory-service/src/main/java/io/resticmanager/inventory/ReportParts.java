package io.resticmanager.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Staging of multi-part snapshot reports ({@code snapshot_report_parts}) and the reports already
 * done with ({@code snapshot_reports_done}), inside the caller's transaction. Statements
 * {@code report-parts.*} in {@code db/statements.sql}.
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

    /** One staged part: its hub receipt time (Times text) and its snapshots. */
    private record Part(String at, List<SnapshotInfo> snapshots) {
    }

    static boolean done(SqliteStore.Tx tx, String reportId) throws SQLException {
        return tx.exists("report-parts.done", reportId);
    }

    static void markDone(SqliteStore.Tx tx, String reportId, Instant now) throws SQLException {
        tx.update("report-parts.mark-done", reportId, now);
    }

    static Optional<Header> header(SqliteStore.Tx tx, String reportId) throws SQLException {
        return tx.one("report-parts.header", rs -> new Header(rs.getInt(1), rs.getString(2), rs.getString(3)),
                      reportId);
    }

    /** Stores one part; a repeat keeps the first copy (and its time) and only refreshes {@code received_at}. */
    static void stage(SqliteStore.Tx tx, Message.SnapshotsReport part, String hostId, Instant at, Instant now)
            throws SQLException {
        tx.update("report-parts.stage", part.reportId(), part.part(), part.parts(), part.repoId(), hostId, at, now,
                  Json.write(part.snapshots()));
    }

    static int count(SqliteStore.Tx tx, String reportId) throws SQLException {
        return (int) tx.number("report-parts.count", reportId);
    }

    static Assembled assemble(SqliteStore.Tx tx, String reportId) throws SQLException {
        List<SnapshotInfo> all = new ArrayList<>();
        String earliest = null;
        // each part's JSON is parsed as its row is read, so the texts are never all held at once
        List<Part> parts = tx.query("report-parts.parts", rs -> {
            try {
                return new Part(rs.getString(1), Json.MAPPER.readValue(rs.getString(2), SNAPSHOTS));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("corrupt staged snapshot report " + reportId, e);
            }
        }, reportId);
        for (Part part : parts) {
            earliest = earliest == null || part.at().compareTo(earliest) < 0 ? part.at() : earliest;
            all.addAll(part.snapshots());
        }
        return new Assembled(all, Times.parse(earliest));
    }

    /** Drops the report's staged parts and remembers it as done. */
    static void finish(SqliteStore.Tx tx, String reportId, Instant now) throws SQLException {
        tx.update("report-parts.delete", reportId);
        markDone(tx, reportId, now);
    }

    /**
     * Drops incomplete reports that got no part since {@code staleBefore} (their agent went away or
     * sent a newer list instead), and forgets done reports older than {@code doneBefore}.
     */
    static void purge(SqliteStore.Tx tx, Instant staleBefore, Instant doneBefore) throws SQLException {
        // cheap check on the index first: almost always nothing is stale
        if (tx.exists("report-parts.any-stale", staleBefore)) {
            tx.update("report-parts.delete-stale", staleBefore);
        }
        tx.update("report-parts.forget-done", doneBefore);
    }
}
