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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One SQLite file per service: WAL, busy_timeout and foreign keys on every connection; numbered
 * migrations ({@code db/migration/V<n>__<name>.sql} resources) applied in order at start and recorded
 * in {@code schema_migrations}. A database newer than the code is refused with a clear message.
 */
public final class SqliteStore implements AutoCloseable {
    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__([\\w-]+)\\.sql");
    private final String url;
    private final Path file;
    private final DbClient db;

    private SqliteStore(Path file) {
        this.file = file;
        this.url = "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=10000&foreign_keys=true";
        this.db = JdbcClientBuilder.create().connectionPool(this::connect).build();
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
        SqliteStore store = new SqliteStore(file.toAbsolutePath());
        store.migrate(discover("db/migration"));
        return store;
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
                    for (String sql : entry.getValue().split(";\\s*(\\n|$)")) {
                        if (!sql.isBlank()) {
                            s.execute(sql);
                        }
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
        db.close();
    }
}
