package io.resticmanager.system;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * What every service has stored, read-only from outside: per table its row count and a fingerprint of its rows.
 * Two snapshots that are equal prove nothing was inserted, deleted or (outside the volatile columns) updated.
 */
final class DbState implements AutoCloseable {
    static final List<String> FILES = List.of("gateway.db", "agent-hub.db", "jobs.db", "inventory.db");
    /** The gateway audits every state-changing request, refused ones included: that row is by design. */
    private static final Set<String> SKIPPED = Set.of("gateway.db:audit_log", "gateway.db:schema_migrations",
            "agent-hub.db:schema_migrations", "jobs.db:schema_migrations", "inventory.db:schema_migrations");
    /** Counted but not fingerprinted: append-only and large (a fingerprint would cost more than it proves). */
    private static final Set<String> COUNT_ONLY = Set.of("jobs.db:job_logs", "agent-hub.db:outbox");
    /**
     * Presence and "last used" stamps that reads and heartbeats refresh by design, and the schedule sync's delivery
     * mark, which a background push sets after the write that made it due.
     */
    private static final Set<String> VOLATILE = Set.of("last_seen_at", "last_used_at", "presence_at", "pushed_at",
                                                       "pushed");

    /** Rows waiting to be delivered to another service: a write still on its way. */
    private static final List<String> QUEUES = List.of("agent-hub.db:outbox", "jobs.db:pending_results");

    private final Map<String, Connection> connections = new LinkedHashMap<>();

    DbState(Path dataDir) throws SQLException {
        for (String file : FILES) {
            Path db = dataDir.resolve(file);
            if (!Files.exists(db)) {
                throw new IllegalStateException(db + " does not exist");
            }
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setReadOnly(true);
            config.setBusyTimeout(10_000);
            connections.put(file, DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties()));
        }
    }

    /** One reading: "file:table" → {rows, fingerprint}. */
    Map<String, List<Long>> snapshot() {
        Map<String, List<Long>> state = new TreeMap<>();
        try {
            for (var e : connections.entrySet()) {
                for (String table : tables(e.getValue())) {
                    String key = e.getKey() + ":" + table;
                    if (!SKIPPED.contains(key)) {
                        state.put(key, read(e.getValue(), table, !COUNT_ONLY.contains(key)));
                    }
                }
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the services' databases: " + ex.getMessage(), ex);
        }
        return state;
    }

    /**
     * Waits until the queues between services are empty (agent-hub's outbox, jobs-service's results for inventory)
     * and two readings 60 ms apart agree: background forwarding of earlier writes has settled.
     */
    Map<String, List<Long>> settled() {
        Map<String, List<Long>> last = snapshot();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            sleep(60);
            Map<String, List<Long>> now = snapshot();
            if (now.equals(last) && QUEUES.stream().allMatch(q -> now.getOrDefault(q, List.of(0L)).getFirst() == 0)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    long rows(String fileAndTable) {
        List<Long> v = snapshot().get(fileAndTable);
        return v == null ? -1 : v.getFirst();
    }

    /** The rows of a query, one line each (for reports). */
    List<String> query(String file, String sql) {
        List<String> out = new ArrayList<>();
        try (Statement s = connections.get(file).createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    line.append(i > 1 ? " " : "").append(rs.getString(i));
                }
                out.add(line.toString());
            }
        } catch (SQLException e) {
            out.add(e.getMessage());
        }
        return out;
    }

    /** The tables whose rows differ, as "file:table rows a→b" (or "changed" when only a fingerprint moved). */
    static List<String> diff(Map<String, List<Long>> before, Map<String, List<Long>> after) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            List<Long> a = before.get(k);
            List<Long> b = after.get(k);
            if (a == null || b == null || !a.equals(b)) {
                long ra = a == null ? -1 : a.get(0);
                long rb = b == null ? -1 : b.get(0);
                out.add(k + (ra == rb ? " rows changed in place (" + ra + ")" : " rows " + ra + "→" + rb));
            }
        }
        return out;
    }

    private static List<String> tables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                   + "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<Long> read(Connection c, String table, boolean fingerprint) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (!fingerprint) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                    rs.next();
                    return List.of(rs.getLong(1), 0L);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
                ResultSetMetaData meta = rs.getMetaData();
                long rows = 0;
                long sum = 0;
                while (rs.next()) {
                    rows++;
                    CRC32 crc = new CRC32();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        if (VOLATILE.contains(meta.getColumnName(i))) {
                            continue;
                        }
                        crc.update(String.valueOf(rs.getString(i)).getBytes(StandardCharsets.UTF_8));
                        crc.update(0);
                    }
                    sum += crc.getValue(); // order-independent: rows come back in no promised order
                }
                return List.of(rows, sum);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Connection c : connections.values()) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
