package io.resticmanager.gateway;

import io.helidon.dbclient.DbClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The append-only audit log. There is deliberately no update here, and the only delete is retention: rows older
 * than a cutoff that only moves forward (the schema refuses every other update and delete too).
 */
final class AuditStore {
    /** Filters of {@code GET /api/audit}; empty means "any". */
    record Query(Optional<String> user, Optional<String> action, Optional<String> target,
                 Optional<String> since, Optional<String> until, Optional<Long> before, int limit) {
    }

    /** A page of entries, newest first, and the cursor for the next (older) page. */
    record Page(List<AuditEntry> items, Optional<Long> nextCursor) {
    }

    private final DbClient db;

    AuditStore(DbClient db) {
        this.db = db;
    }

    void append(AuditEntry e) {
        db.execute().insert("INSERT INTO audit_log (at, user, action, target, status, result, source_ip) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            e.at(), e.user(), e.action(), e.target(), e.status(), e.result(), e.sourceIp());
    }

    /** Retention: moves the cutoff forward to {@code before} and deletes the rows older than it; returns how many. */
    long purgeBefore(String before) {
        var tx = db.transaction();
        try {
            // counted first: the driver's update count after the cutoff update is not the delete's alone
            long deleted = tx.get("SELECT COUNT(*) AS n FROM audit_log WHERE at < ?", before)
                    .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
            tx.update("UPDATE audit_retention SET cutoff = MAX(cutoff, ?) WHERE id = 1", before);
            tx.delete("DELETE FROM audit_log WHERE at < ?", before);
            tx.commit();
            return deleted;
        } catch (RuntimeException e) {
            tx.rollback();
            throw e;
        }
    }

    Page find(Query q) {
        StringBuilder sql = new StringBuilder("SELECT id, at, user, action, target, status, result, source_ip "
                                                      + "FROM audit_log WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        q.user().ifPresent(u -> {
            sql.append(" AND user = ?");
            args.add(u);
        });
        q.action().ifPresent(a -> {
            // "login" finds login.ok, login.failed, …; an exact action finds itself.
            sql.append(" AND (action = ? OR action LIKE ? ESCAPE '\\')");
            args.add(a);
            args.add(escapeLike(a) + "%");
        });
        q.target().ifPresent(t -> {
            sql.append(" AND target LIKE ? ESCAPE '\\'");
            args.add("%" + escapeLike(t) + "%");
        });
        q.since().ifPresent(s -> {
            sql.append(" AND at >= ?");
            args.add(s);
        });
        q.until().ifPresent(u -> {
            sql.append(" AND at < ?");
            args.add(u);
        });
        q.before().ifPresent(b -> {
            sql.append(" AND id < ?");
            args.add(b);
        });
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(q.limit() + 1);
        List<Long> ids = new ArrayList<>();
        List<AuditEntry> items = new ArrayList<>();
        db.execute().query(sql.toString(), args.toArray()).forEach(r -> {
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

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
