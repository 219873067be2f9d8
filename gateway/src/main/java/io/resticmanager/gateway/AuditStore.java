package io.resticmanager.gateway;

import io.resticmanager.kit.SqliteStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The append-only audit log. There is deliberately no update here, and the only delete is retention: rows older
 * than a cutoff that only moves forward (the schema refuses every other update and delete too).
 */
final class AuditStore {
    /** Filters of {@code GET /api/audit}; empty means "any". */
    record Query(Optional<String> user, Optional<String> action, Optional<String> target, Optional<String> result,
                 Optional<String> since, Optional<String> until, Optional<Long> before, int limit) {
        /** The same filters, older than {@code id}, at most {@code max} rows. */
        Query page(Long id, int max) {
            return new Query(user, action, target, result, since, until, Optional.ofNullable(id), max);
        }
    }

    /** A page of entries, newest first, and the cursor for the next (older) page. */
    record Page(List<AuditEntry> items, Optional<Long> nextCursor) {
    }

    private final SqliteStore store;

    AuditStore(SqliteStore store) {
        this.store = store;
    }

    void append(AuditEntry e) {
        store.write(tx -> tx.update("audit.append", e.at(), e.user(), e.action(), e.target(), e.status(), e.result(),
                                    e.sourceIp()));
    }

    /** Retention: moves the cutoff forward to {@code before} and deletes the rows older than it; returns how many. */
    long purgeBefore(String before) {
        return store.write(tx -> {
            long deleted = tx.number("audit.count-before", before);
            tx.update("audit.move-cutoff", before);
            tx.update("audit.delete-before", before);
            return deleted;
        });
    }

    Page find(Query q) {
        Object[] filters = filters(q);
        Long before = q.before().orElse(null);
        Object[] args = new Object[filters.length + 3];
        System.arraycopy(filters, 0, args, 0, filters.length);
        args[filters.length] = before;
        args[filters.length + 1] = before;
        args[filters.length + 2] = q.limit() + 1;
        List<Long> ids = new ArrayList<>();
        List<AuditEntry> items = new ArrayList<>();
        store.db().execute().namedQuery("audit.find", args).forEach(r -> {
            ids.add(r.column("id").get(Number.class).longValue());
            items.add(new AuditEntry(r.column("at").get(String.class), r.column("user").get(String.class),
                                     r.column("action").get(String.class), r.column("target").get(String.class),
                                     r.column("status").get(Number.class).intValue(),
                                     r.column("result").get(String.class), r.column("source_ip").get(String.class)));
        });
        if (items.size() > q.limit()) {
            items.removeLast();
            return new Page(items, Optional.of(ids.get(q.limit() - 1)));
        }
        return new Page(items, Optional.empty());
    }

    /** How many rows match the query's filters (its cursor and limit aside). */
    long count(Query q) {
        return store.db().execute().namedGet("audit.count", filters(q))
                .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
    }

    /** The filter arguments of audit.find and audit.count, each twice: NULL means "any". */
    private static Object[] filters(Query q) {
        String user = q.user().orElse(null);
        String action = q.action().orElse(null);
        // "login" finds login.ok, login.failed, …; an exact action finds itself.
        String actionPrefix = action == null ? null : escapeLike(action) + "%";
        String target = q.target().map(t -> "%" + escapeLike(t) + "%").orElse(null);
        String result = q.result().orElse(null);
        String since = q.since().orElse(null);
        String until = q.until().orElse(null);
        return new Object[] {user, user, action, action, actionPrefix, target, target, result, result, since, since,
                             until, until};
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
