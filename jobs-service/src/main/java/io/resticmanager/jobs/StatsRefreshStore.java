package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.resticmanager.kit.Times;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Repositories whose stats are out of date ({@code stats_refresh} in jobs.db): marked in the transaction that ends a
 * job changing them, read and cleared by {@link StatsRefresher}. Reads go through the DbClient; writes are static
 * helpers that run inside a {@link JobStore#write} transaction.
 */
final class StatsRefreshStore {
    private final DbClient db;

    StatsRefreshStore(JobStore jobs) {
        this.db = jobs.db();
    }

    /** A repository due for a stats refresh, with the {@code last_at} it was read with. */
    record Due(String repoId, String hostId, String lastAt) {
    }

    /** Rows quiet since {@code quietSince}, or first marked before {@code waitingSince}. */
    List<Due> due(Instant quietSince, Instant waitingSince) {
        try (var rows = db.execute().namedQuery("stats-refresh.due", Times.format(quietSince),
                                                Times.format(waitingSince))) {
            return rows.map(r -> new Due(JobStore.text(r, "repo_id"), JobStore.text(r, "host_id"),
                                         JobStore.text(r, "last_at"))).toList();
        }
    }

    /** The repository's stats are out of date since {@code at}; the host whose job changed them refreshes them. */
    static void mark(JobStore.Tx tx, String repoId, String hostId, Instant at) throws SQLException {
        tx.sql().update("stats-refresh.mark", repoId, hostId, at, at);
    }

    /** Done with a row, unless a newer mark arrived since it was read. */
    static void done(JobStore.Tx tx, Due due) throws SQLException {
        tx.sql().update("stats-refresh.done", due.repoId(), due.lastAt());
    }
}
