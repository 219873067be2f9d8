package io.resticmanager.system;

import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The size of a running service's SQLite database, read from outside over a read-only connection. Besides the
 * files on disk it reads the pages in use per table ({@code dbstat}): in WAL mode a reader sees every committed
 * write whether checkpointed or not, so that figure follows the data and not the WAL file's ups and downs.
 */
final class BenchSqlite {
    /** Bytes of the table's pages (with its indexes) and its row count. */
    record Table(long bytes, long rows) {
    }

    /** One database: file name, bytes on disk (database + WAL), bytes in use, and per table. */
    record Usage(String file, long diskBytes, long usedBytes, Map<String, Table> tables) {
        Table table(String name) {
            return tables.getOrDefault(name, new Table(0, 0));
        }
    }

    private BenchSqlite() {
    }

    /** Every {@code *.db} directly in the data directory (one per service), by file name. */
    static List<Usage> readAll(Path dataDir) throws IOException, SQLException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dataDir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".db")).sorted().toList();
        }
        List<Usage> out = new ArrayList<>();
        for (Path file : files) {
            out.add(read(file));
        }
        return out;
    }

    static Usage read(Path file) throws IOException, SQLException {
        long disk = Files.size(file) + sizeIfExists(Path.of(file + "-wal"));
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
             Statement st = c.createStatement()) {
            c.setAutoCommit(false); // one read transaction: sizes and counts of the same moment
            long used;
            try (ResultSet r = st.executeQuery("SELECT SUM(pgsize) FROM dbstat")) {
                used = r.next() ? r.getLong(1) : 0;
            }
            Map<String, Long> bytes = new TreeMap<>();
            try (ResultSet r = st.executeQuery("SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s JOIN sqlite_schema m "
                                                       + "ON m.name = s.name GROUP BY m.tbl_name")) {
                while (r.next()) {
                    bytes.put(r.getString(1), r.getLong(2));
                }
            }
            Map<String, Table> tables = new TreeMap<>();
            for (var e : bytes.entrySet()) {
                if (e.getKey().startsWith("sqlite_")) {
                    continue;
                }
                String quoted = "\"" + e.getKey().replace("\"", "\"\"") + "\"";
                try (ResultSet r = st.executeQuery("SELECT COUNT(*) FROM " + quoted)) {
                    tables.put(e.getKey(), new Table(e.getValue(), r.next() ? r.getLong(1) : 0));
                }
            }
            c.rollback();
            return new Usage(file.getFileName().toString(), disk, used, tables);
        }
    }

    private static long sizeIfExists(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }
}
