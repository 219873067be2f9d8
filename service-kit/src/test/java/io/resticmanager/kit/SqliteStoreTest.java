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
            assertThat(versions, is(2L));
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
            broken.put(3, "CREATE TABLE half(x INTEGER);\nTHIS IS NOT SQL;\n");
            assertThrows(IllegalStateException.class, () -> store.migrate(broken));
            long tables = store.db().execute().get("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half'")
                    .orElseThrow().column("n").get(Number.class).longValue();
            assertThat(tables, is(0L));
        }
    }
}
