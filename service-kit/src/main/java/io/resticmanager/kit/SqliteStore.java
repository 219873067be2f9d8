package io.resticmanager.kit;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One SQLite file per service, and the one way every store uses it:
 * <ul>
 *   <li>numbered migrations ({@code db/migration/V<n>__<name>.sql}) applied in order at start and recorded in
 *   {@code schema_migrations} (a database newer than the code is refused with a clear message); statements are
 *   split by {@link SqlScript}, so triggers may hold {@code ;} of their own;</li>
 *   <li>named statements ({@code db/statements.sql}, {@code -- name: x} above each) shared by both paths;</li>
 *   <li>reads through the Helidon {@link DbClient} ({@code db().execute().namedQuery/namedGet}), on connections
 *   kept open between reads ({@link ReadConnections}); a hot read of many rows or many small queries (the tree
 *   index) through {@link #read}: plain JDBC, one connection, one snapshot;</li>
 *   <li>writes through {@link #write}: one writer connection, one transaction at a time, {@code BEGIN IMMEDIATE}
 *   (SQLite's write lock taken up front, so a read-then-write never fails halfway), JDBC batches for bulk rows.</li>
 * </ul>
 * WAL, busy_timeout and foreign keys on every connection; times as {@link Times} text.
 */
public final class SqliteStore implements AutoCloseable {
    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__([\\w-]+)\\.sql");
    static final String STATEMENTS = "db/statements.sql";
    private final String url;
    private final Path file;
    private final DbClient db;
    /** Idle read connections kept open: about one per core is enough for point reads of a few microseconds. */
    private static final int MAX_IDLE_READERS = 4;
    private final ReadConnections reads;
    private final Map<String, String> statements;
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
    private Connection writer;

    SqliteStore(Path file, Map<String, String> statements) {
        this.file = file;
        this.statements = Map.copyOf(statements);
        this.url = "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=10000&foreign_keys=true";
        io.helidon.dbclient.DbStatements.Builder named = io.helidon.dbclient.DbStatements.builder();
        statements.forEach(named::addStatement);
        this.reads = new ReadConnections(this::connect, MAX_IDLE_READERS);
        this.db = JdbcClientBuilder.create().connectionPool(reads::borrow).statements(named.build()).build();
    }

    /**
     * Opens (creating if needed) the file and applies pending migrations from the classpath. The database is
     * readable by this service's user only (0600; SQLite gives its -wal and -shm files the same mode), and a data
     * directory created here is 0700: these files hold sealed secrets, sessions and the audit log.
     */
    public static SqliteStore open(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                posix(dir, "rwx------");
            }
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            posix(file, "rw-------");
            for (String suffix : new String[] {"-wal", "-shm"}) {
                Path sibling = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(sibling)) {
                    posix(sibling, "rw-------");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file + ": " + e.getMessage(), e);
        }
        SqliteStore store = new SqliteStore(file.toAbsolutePath(), namedStatements());
        store.migrate(discover("db/migration"));
        store.checkStatements();
        return store;
    }

    /**
     * Prepares every named statement against the migrated schema, so a statement that names a missing table or
     * column stops the service at start-up (and its tests) instead of failing on first use.
     */
    void checkStatements() {
        java.util.List<String> broken = new java.util.ArrayList<>();
        try (Connection c = connect()) {
            statements.forEach((name, sql) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.getParameterMetaData();
                } catch (SQLException e) {
                    broken.add(name + ": " + e.getMessage());
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open " + file + ": " + e.getMessage(), e);
        }
        if (!broken.isEmpty()) {
            throw new IllegalStateException(STATEMENTS + " does not match the schema of " + file.getFileName() + ": "
                                                    + String.join("; ", broken));
        }
    }

    /** The named statements on the classpath ({@value #STATEMENTS}); none when the service has no such file. */
    static Map<String, String> namedStatements() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(STATEMENTS)) {
            return in == null ? Map.of()
                    : SqlScript.named(new String(in.readAllBytes(), StandardCharsets.UTF_8), STATEMENTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SQL of a named statement; unknown names are a programming error. */
    public String sql(String name) {
        String sql = statements.get(name);
        if (sql == null) {
            throw new IllegalArgumentException("no statement named " + name + " in " + STATEMENTS);
        }
        return sql;
    }

    /** A unit of work in one write transaction: committed when it returns, rolled back when it throws. */
    public interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** Maps the current row of a result. */
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code work} as the one writer: one transaction at a time on one connection, opened with
     * {@code BEGIN IMMEDIATE}. Signals and other side effects belong after this returns (after the commit).
     */
    public <T> T write(Work<T> work) {
        writeLock.lock();
        try {
            if (writer == null || writer.isClosed()) {
                writer = connect();
            }
            exec(writer, "BEGIN IMMEDIATE");
            try {
                T result = work.run(new Tx(this, writer));
                exec(writer, "COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback();
                if (e instanceof SQLException sql) {
                    throw new IllegalStateException(file.getFileName() + ": " + sql.getMessage(), sql);
                }
                throw e;
            }
        } catch (SQLException e) {
            dropWriter();
            throw new IllegalStateException(file.getFileName() + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code work} in one read transaction on its own connection, refused any write ({@code query_only}): every
     * query sees the same snapshot, and rows come straight off JDBC (the DbClient's per-row column maps cost more
     * than SQLite itself for thousands of rows). Many readers run at once, beside the writer.
     */
    public <T> T read(Work<T> work) {
        try (Connection c = connect()) {
            exec(c, "PRAGMA query_only = ON");
            exec(c, "BEGIN");
            try {
                return work.run(new Tx(this, c));
            } finally {
                exec(c, "ROLLBACK");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            exec(writer, "ROLLBACK");
        } catch (SQLException e) {
            dropWriter(); // a connection that cannot roll back is not trusted again
        }
    }

    private void dropWriter() {
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (SQLException ignored) {
            // being replaced anyway
        }
        writer = null;
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The statements of one transaction, by name; valid only inside {@link #write} or {@link #read}. */
    public static final class Tx {
        private final SqliteStore store;
        private final Connection c;

        private Tx(SqliteStore store, Connection c) {
            this.store = store;
            this.c = c;
        }

        /** Runs a named INSERT/UPDATE/DELETE; returns the rows it changed. */
        public int update(String name, Object... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(store.sql(name))) {
                bind(ps, args);
                return ps.executeUpdate();
            }
        }

        /** Runs a named statement once per row of arguments, as one JDBC batch; returns each row's change count. */
        public int[] batch(String name, List<Object[]> rows) throws SQLException {
            if (rows.isEmpty()) {
                return new int[0];
            }
            try (PreparedStatement ps = c.prepareStatement(store.sql(name))) {
                for (Object[] row : rows) {
                    bind(ps, row);
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        }

        public <T> List<T> query(String name, Row<T> row, Object... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(store.sql(name))) {
                bind(ps, args);
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                }
                return out;
            }
        }

        public <T> Optional<T> one(String name, Row<T> row, Object... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(store.sql(name))) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(row.map(rs)) : Optional.empty();
                }
            }
        }

        public boolean exists(String name, Object... args) throws SQLException {
            return one(name, rs -> Boolean.TRUE, args).isPresent();
        }

        /** The first column of the first row as text, if any. */
        public Optional<String> text(String name, Object... args) throws SQLException {
            return one(name, rs -> rs.getString(1), args);
        }

        /** The first column of the first row as a number (0 when there is no row or it is NULL). */
        public long number(String name, Object... args) throws SQLException {
            return one(name, rs -> rs.getLong(1), args).orElse(0L);
        }
    }

    /** Binds arguments: {@link java.time.Instant} as {@link Times} text, booleans as 0/1, null as NULL. */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case null -> ps.setNull(i + 1, java.sql.Types.NULL);
                case java.time.Instant t -> ps.setString(i + 1, Times.format(t));
                case Boolean b -> ps.setInt(i + 1, b ? 1 : 0);
                case Enum<?> e -> throw new IllegalArgumentException("bind the wire form of " + e + ", not the enum");
                default -> ps.setObject(i + 1, a);
            }
        }
    }

    private static void posix(Path path, String mode) throws IOException {
        if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
        }
    }

    public DbClient db() {
        return db;
    }

    public Path file() {
        return file;
    }

    /** A raw JDBC connection, for batch inserts and migrations. Close it. */
    public Connection connect() {
        try {
            return DriverManager.getConnection(url);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a consistent copy of the live database to {@code target} (which must not exist) with
     * {@code VACUUM INTO}: one read transaction, so writers go on and the copy holds every committed
     * write up to its start; a file copy of a WAL database could tear between the file and its -wal.
     */
    public void copyTo(Path target) {
        String path = target.toAbsolutePath().toString();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("VACUUM INTO '" + path.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot copy " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** True when the store answers a trivial query (for /health). */
    public boolean healthy() {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (RuntimeException | SQLException e) {
            return false;
        }
    }

    void migrate(Map<Integer, String> migrations) {
        int latest = migrations.isEmpty() ? 0 : ((TreeMap<Integer, String>) migrations).lastKey();
        try (Connection c = connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                                  + "applied_at TEXT NOT NULL)");
            }
            int current;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
                current = rs.next() ? rs.getInt(1) : 0;
            }
            if (current > latest) {
                throw new IllegalStateException("database " + file + " is at schema version " + current
                        + " but this build knows only up to " + latest + "; run a newer release or restore a backup");
            }
            for (var entry : migrations.entrySet()) {
                if (entry.getKey() <= current) {
                    continue;
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    for (String sql : SqlScript.statements(entry.getValue())) {
                        s.execute(sql);
                    }
                    s.execute("INSERT INTO schema_migrations(version, applied_at) VALUES (" + entry.getKey()
                                      + ", strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw new IllegalStateException("migration V" + entry.getKey() + " failed on " + file + ": "
                                                            + e.getMessage(), e);
                } finally {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot migrate " + file + ": " + e.getMessage(), e);
        }
    }

    /** Finds {@code V<n>__*.sql} below a classpath folder, in a directory or a jar. */
    static Map<Integer, String> discover(String folder) {
        TreeMap<Integer, String> found = new TreeMap<>();
        try {
            var urls = Thread.currentThread().getContextClassLoader().getResources(folder);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                URI uri = url.toURI();
                if ("jar".equals(uri.getScheme())) {
                    FileSystem fs;
                    try {
                        fs = FileSystems.newFileSystem(uri, Map.of());
                    } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                        fs = FileSystems.getFileSystem(uri);
                    }
                    collect(fs.getPath(folder), found);
                } else {
                    collect(Path.of(uri), found);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static void collect(Path dir, TreeMap<Integer, String> found) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Matcher m = MIGRATION.matcher(p.getFileName().toString());
                if (m.matches()) {
                    int version = Integer.parseInt(m.group(1));
                    String sql;
                    try (InputStream in = Files.newInputStream(p)) {
                        sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    if (found.putIfAbsent(version, sql) != null) {
                        throw new IllegalStateException("two migrations with version " + version);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            dropWriter();
        } finally {
            writeLock.unlock();
        }
        db.close();
        reads.close();
    }
}
