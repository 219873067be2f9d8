package io.resticmanager.kit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.TreeMap;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SqliteStoreTest {
    @TempDir
    Path dir;

    @Test
    void appliesMigrationsOnceAndInOrder() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("t.db"))) {
            store.db().execute().insert("INSERT INTO probe(name) VALUES (?)", "a");
        }
        // reopening applies nothing twice (V1 would fail on an existing table)
        try (SqliteStore store = SqliteStore.open(dir.resolve("t.db"))) {
            long count = store.db().execute().get("SELECT COUNT(*) AS n FROM probe").orElseThrow()
                    .column("n").get(Number.class).longValue();
            assertThat(count, is(1L));
            assertThat(store.healthy(), is(true));
            long versions = store.db().execute().get("SELECT MAX(version) AS v FROM schema_migrations").orElseThrow()
                    .column("v").get(Number.class).longValue();
            assertThat(versions, is(3L));
        }
    }

    @Test
    void theDatabaseItsWalAndANewDataDirectoryAreForThisUserOnly() throws Exception {
        Path data = dir.resolve("new-data-dir");
        try (SqliteStore store = SqliteStore.open(data.resolve("t.db"));
             Connection keep = store.connect()) {
            store.db().execute().insert("INSERT INTO probe(name) VALUES (?)", "a");
            assertThat(mode(data), is("rwx------"));
            assertThat(mode(data.resolve("t.db")), is("rw-------"));
            assertThat(mode(data.resolve("t.db-wal")), is("rw-------"));
        }
        // a database left world-readable by an earlier version is tightened on open
        java.nio.file.Files.setPosixFilePermissions(data.resolve("t.db"),
                                                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (SqliteStore store = SqliteStore.open(data.resolve("t.db"))) {
            assertThat(mode(data.resolve("t.db")), is("rw-------"));
        }
    }

    private static String mode(Path p) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(p));
    }

    @Test
    void theWriterCommitsARollsBackAndTriggersFromMigrationsRun() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("w.db"))) {
            store.write(tx -> tx.batch("probe.insert", java.util.List.of(new Object[] {"x"}, new Object[] {"keep"})));
            assertThrows(IllegalStateException.class, () -> store.write(tx -> {
                tx.update("probe.insert", "lost");
                throw new java.sql.SQLException("boom");
            }));
            assertThat(store.write(tx -> tx.number("probe.count")), is(2L));
            // the trigger from V3 ran with its multi-statement body
            assertThat(store.db().execute().namedGet("probe.by-name", "x").orElseThrow().column("extra")
                               .get(String.class), is("ex"));
            assertThat(store.db().execute().namedQuery("probe.log").map(r -> r.column("note").get(String.class))
                               .toList(), is(java.util.List.of("added; x", "added; keep")));
            IllegalStateException kept = assertThrows(IllegalStateException.class, () -> store.write(
                    tx -> tx.update("probe.insert", "y") + tx.update("probe.delete", "keep")));
            assertThat(kept.getMessage(), containsString("kept; forever"));
            assertThrows(IllegalArgumentException.class, () -> store.write(tx -> tx.update("no.such.statement")));
        }
    }

    @Test
    void readsReuseOpenConnectionsAndStillSeeEveryCommittedWrite() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("r.db"))) {
            for (int i = 0; i < 20; i++) {
                String name = "n" + i;
                store.write(tx -> tx.update("probe.insert", name));
                // a read right after the commit sees it, on a connection that served earlier reads
                assertThat(store.db().execute().namedGet("probe.by-name", name).isPresent(), is(true));
                assertThat(store.db().execute().namedQuery("probe.log").count(), is(i + 1L));
            }
            // a query left half read, then closed, leaves no read transaction behind on its connection
            try (var rows = store.db().execute().namedQuery("probe.log")) {
                assertThat(rows.findFirst().isPresent(), is(true));
            }
            store.write(tx -> tx.update("probe.insert", "last"));
            assertThat(store.db().execute().namedGet("probe.by-name", "last").isPresent(), is(true));
        }
    }

    @Test
    void aBorrowedConnectionGoesBackOnCloseAndIsUnusableAfterIt() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("p.db"));
             ReadConnections pool = new ReadConnections(store::connect, 1)) {
            Connection first = pool.borrow();
            Statement open = first.createStatement();
            open.executeQuery("SELECT name FROM probe");
            first.close();
            assertThat(pool.idle(), is(1));
            // its statements were closed with it, and the view refuses further use
            assertThat(open.isClosed(), is(true));
            assertThrows(java.sql.SQLException.class, first::createStatement);
            Connection second = pool.borrow();
            Connection third = pool.borrow();
            assertThat(pool.idle(), is(0));
            second.close();
            third.close();
            // only one waits; the other was really closed
            assertThat(pool.idle(), is(1));
        }
    }

    @Test
    void aNamedStatementThatDoesNotMatchTheSchemaIsFoundAtOpen() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("s.db"))) {
            store.checkStatements();
        }
        SqliteStore broken = new SqliteStore(dir.resolve("s.db"), java.util.Map.of("x.bad", "SELECT nope FROM probe"));
        IllegalStateException e = assertThrows(IllegalStateException.class, broken::checkStatements);
        assertThat(e.getMessage(), containsString("x.bad"));
        broken.close();
    }

    @Test
    void refusesADatabaseNewerThanTheCode() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("t.db")); Connection c = store.connect();
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_migrations(version, applied_at) VALUES (99, 'later')");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SqliteStore.open(dir.resolve("t.db")));
        assertThat(e.getMessage(), containsString("schema version 99"));
    }

    @Test
    void failedMigrationLeavesNothingHalfWritten() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("t.db"))) {
            TreeMap<Integer, String> broken = new TreeMap<>(SqliteStore.discover("db/migration"));
            broken.put(4, "CREATE TABLE half(x INTEGER);\nTHIS IS NOT SQL;\n");
            assertThrows(IllegalStateException.class, () -> store.migrate(broken));
            long tables = store.db().execute().get("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half'")
                    .orElseThrow().column("n").get(Number.class).longValue();
            assertThat(tables, is(0L));
        }
    }
}
