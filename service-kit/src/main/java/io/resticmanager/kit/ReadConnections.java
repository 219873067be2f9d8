package io.resticmanager.kit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The read connections of one {@link SqliteStore}, kept open between reads: opening a SQLite connection (the
 * file, the pragmas, the schema) costs about a millisecond of CPU, a point read on an open one a few
 * microseconds. A borrowed connection is a view whose {@code close()} closes every statement made through it
 * (so no read transaction outlives its read and the next read sees every committed write) and gives the
 * connection back; at most {@code maxIdle} wait, the rest are closed.
 */
final class ReadConnections implements AutoCloseable {
    private final Supplier<Connection> open;
    private final LinkedBlockingDeque<Connection> idle;
    private volatile boolean closed;

    ReadConnections(Supplier<Connection> open, int maxIdle) {
        this.open = open;
        this.idle = new LinkedBlockingDeque<>(maxIdle);
    }

    /** An open connection for one read; close it when done. */
    Connection borrow() {
        Connection real = idle.pollFirst();
        return lend(real != null ? real : open.get());
    }

    /** Connections waiting for a read (for tests). */
    int idle() {
        return idle.size();
    }

    private Connection lend(Connection real) {
        List<Statement> statements = new ArrayList<>();
        AtomicBoolean returned = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            if (returned.compareAndSet(false, true)) {
                                giveBack(real, statements);
                            }
                            return null;
                        }
                        case "isClosed" -> {
                            if (returned.get()) {
                                return true;
                            }
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        default -> {
                            if (returned.get()) {
                                throw new SQLException("connection already closed");
                            }
                        }
                    }
                    try {
                        Object result = method.invoke(real, args);
                        if (result instanceof Statement s) {
                            statements.add(s);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void giveBack(Connection real, List<Statement> statements) {
        try {
            for (Statement s : statements) {
                s.close();
            }
            if (!real.getAutoCommit()) {
                real.rollback();
                real.setAutoCommit(true);
            }
            if (closed || !idle.offerFirst(real)) {
                real.close();
            }
        } catch (SQLException | RuntimeException e) {
            try {
                real.close();
            } catch (SQLException ignored) {
                // a broken connection is dropped either way
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing at shutdown
            }
        }
    }
}
