package io.resticmanager.hub;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code outbox} table ({@code outbox.*} statements). Inserts join the caller's write transaction
 * ({@link #insert}); reads go through the DbClient and {@link #delivered} is a write transaction of its own.
 */
final class OutboxStore {
    private final SqliteStore store;

    OutboxStore(SqliteStore store) {
        this.store = store;
    }

    /** An event to store; {@code payload} is JSON text. */
    record NewEvent(String hostId, String type, Instant at, String payload) {
    }

    /** A stored event; {@code id} orders events and is the event id receivers de-duplicate by. */
    record StoredEvent(long id, String hostId, String type, Instant at, String payload) {
    }

    /** Inserts events in order, in the caller's transaction; events no receiver wants are not stored. */
    static void insert(SqliteStore.Tx tx, List<NewEvent> events) throws SQLException {
        List<Object[]> rows = new ArrayList<>(events.size());
        for (NewEvent e : events) {
            Set<Destination> to = Destination.routes(e.type());
            if (to.isEmpty()) {
                continue;
            }
            rows.add(new Object[] {e.hostId(), e.type(), e.at(), e.payload(), to.contains(Destination.JOBS),
                    to.contains(Destination.INVENTORY)});
        }
        tx.batch("outbox.insert", rows);
    }

    /** The oldest events {@code to} has not confirmed yet, in order. */
    List<StoredEvent> pending(Destination to, int limit) {
        return pending(to, limit, Long.MAX_VALUE);
    }

    /**
     * As {@link #pending(Destination, int)}, stopping once the payloads read reach {@code maxChars}
     * (always at least one event): log frames are large, and rows past the cap would be read for nothing.
     */
    List<StoredEvent> pending(Destination to, int limit, long maxChars) {
        String statement = switch (to) {
            case JOBS -> "outbox.pending-jobs";
            case INVENTORY -> "outbox.pending-inventory";
        };
        List<StoredEvent> events = new ArrayList<>();
        long chars = 0;
        try (Stream<DbRow> rows = store.db().execute().namedQuery(statement, limit)) {
            Iterator<DbRow> it = rows.iterator();
            while (chars < maxChars && it.hasNext()) {
                DbRow r = it.next();
                StoredEvent e = new StoredEvent(r.column("id").get(Number.class).longValue(),
                                                r.column("host_id").get(String.class),
                                                r.column("type").get(String.class),
                                                Times.parse(r.column("at").get(String.class)),
                                                r.column("payload").get(String.class));
                events.add(e);
                chars += e.payload().length();
            }
        }
        return events;
    }

    /** Records that {@code to} stored (or rejected) these events; rows nobody needs any more are deleted. */
    void delivered(Destination to, List<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        String statement = switch (to) {
            case JOBS -> "outbox.delivered-jobs";
            case INVENTORY -> "outbox.delivered-inventory";
        };
        List<Object[]> rows = ids.stream().map(id -> new Object[] {id}).toList();
        store.write(tx -> {
            tx.batch(statement, rows);
            tx.batch("outbox.delete-done", rows);
            return null;
        });
    }

    /** Events {@code to} has not confirmed yet. */
    long pendingCount(Destination to) {
        String statement = switch (to) {
            case JOBS -> "outbox.pending-count-jobs";
            case INVENTORY -> "outbox.pending-count-inventory";
        };
        return store.db().execute().namedGet(statement)
                .map(r -> r.column("n").get(Number.class).longValue())
                .orElse(0L);
    }
}
