package io.resticmanager.hub;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** SQL of the {@code outbox} table. Callers own the connection and the transaction. */
final class OutboxStore {
    private OutboxStore() {
    }

    /** An event to store; {@code payload} is JSON text. */
    record NewEvent(String hostId, String type, Instant at, String payload) {
    }

    /** A stored event; {@code id} orders events and is the event id receivers de-duplicate by. */
    record StoredEvent(long id, String hostId, String type, Instant at, String payload) {
    }

    /** Inserts events in order; events no receiver wants are not stored. */
    static void insert(Connection c, List<NewEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO outbox(host_id, type, at, payload, to_jobs, to_inventory) VALUES (?, ?, ?, ?, ?, ?)")) {
            int batched = 0;
            for (NewEvent e : events) {
                Set<Destination> to = Destination.routes(e.type());
                if (to.isEmpty()) {
                    continue;
                }
                s.setString(1, e.hostId());
                s.setString(2, e.type());
                s.setLong(3, e.at().toEpochMilli());
                s.setString(4, e.payload());
                s.setInt(5, to.contains(Destination.JOBS) ? 1 : 0);
                s.setInt(6, to.contains(Destination.INVENTORY) ? 1 : 0);
                s.addBatch();
                batched++;
            }
            if (batched > 0) {
                s.executeBatch();
            }
        }
    }

    /** The oldest events {@code to} has not confirmed yet, in order. */
    static List<StoredEvent> pending(Connection c, Destination to, int limit) throws SQLException {
        return pending(c, to, limit, Long.MAX_VALUE);
    }

    /**
     * As {@link #pending(Connection, Destination, int)}, stopping once the payloads read reach {@code maxChars}
     * (always at least one event): log frames are large, and rows past the cap would be read for nothing.
     */
    static List<StoredEvent> pending(Connection c, Destination to, int limit, long maxChars) throws SQLException {
        List<StoredEvent> events = new ArrayList<>();
        long chars = 0;
        try (PreparedStatement s = c.prepareStatement("SELECT id, host_id, type, at, payload FROM outbox WHERE "
                                                              + to.column() + " = 1 ORDER BY id LIMIT ?")) {
            s.setInt(1, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (chars < maxChars && rs.next()) {
                    StoredEvent e = new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3),
                                                    Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5));
                    events.add(e);
                    chars += e.payload().length();
                }
            }
        }
        return events;
    }

    /** Records that {@code to} stored (or rejected) these events; rows nobody needs any more are deleted. */
    static void delivered(Connection c, Destination to, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement update = c.prepareStatement("UPDATE outbox SET " + to.column() + " = 0 WHERE id = ?");
                 PreparedStatement delete = c.prepareStatement(
                         "DELETE FROM outbox WHERE id = ? AND to_jobs = 0 AND to_inventory = 0")) {
                for (long id : ids) {
                    update.setLong(1, id);
                    update.addBatch();
                    delete.setLong(1, id);
                    delete.addBatch();
                }
                update.executeBatch();
                delete.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static long pendingCount(Connection c, Destination to) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM outbox WHERE " + to.column() + " = 1");
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
