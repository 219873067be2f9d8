package io.resticmanager.kit;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One JDBC connection kept open by a single-threaded worker (a writer or forwarder loop) and reopened
 * after a failure. Not thread-safe: one owner thread.
 */
public final class DedicatedConnection implements AutoCloseable {
    private final SqliteStore store;
    private Connection connection;

    public DedicatedConnection(SqliteStore store) {
        this.store = store;
    }

    /** The open connection, opening it on first use or after {@link #close()}. */
    public Connection get() {
        if (connection == null) {
            connection = store.connect();
        }
        return connection;
    }

    /** Drops the connection (after an error); the next {@link #get()} opens a fresh one. */
    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing left to release
            }
            connection = null;
        }
    }
}
