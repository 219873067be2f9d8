package io.resticmanager.inventory;

import io.resticmanager.kit.SqlScript;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.view.HostView;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** V4 rewrites the nine-digit times of a database written before service-kit Times to milliseconds. */
class TimeMigrationTest {
    private static final String OLD = "2026-11-26T10:00:00.123456789Z";
    private static final String NEW = "2026-11-26T10:00:00.123Z";
    private static final String RESTIC = "2026-11-20T01:00:00.987654321Z";

    @Test
    void nineDigitTimesBecomeMilliseconds() throws Exception {
        Path dir = TestEnv.tempDir();
        Path file = dir.resolve("inventory.db");
        try {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                 Statement s = c.createStatement()) {
                for (String migration : new String[] {"V1__init.sql", "V2__host_runs_as_root.sql",
                                                      "V3__snapshot_report_parts.sql"}) {
                    for (String sql : SqlScript.statements(resource("db/migration/" + migration))) {
                        s.execute(sql);
                    }
                }
                s.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
                s.execute("INSERT INTO schema_migrations VALUES (1, '" + NEW + "'), (2, '" + NEW + "'), (3, '"
                                  + NEW + "')");
                s.execute("INSERT INTO repos (id, name, url_redacted, url_sealed, password_sealed, last_check_at, "
                                  + "snapshots_reported_at, created_at, updated_at) VALUES ('r1', 'r', 'u', 's', 'p', "
                                  + "'" + OLD + "', '" + OLD + "', '" + OLD + "', '" + OLD + "')");
                s.execute("INSERT INTO hosts (id, hostname, presence_at, last_seen_at, repo_id, created_at, updated_at) "
                                  + "VALUES ('h1', 'web-1', '" + OLD + "', '" + OLD + "', 'r1', '" + OLD + "', '"
                                  + NEW + "')");
                s.execute("INSERT INTO deleted_hosts VALUES ('h0', '" + OLD + "')");
                s.execute("INSERT INTO processed_events VALUES ('e1', '" + OLD + "')");
                s.execute("INSERT INTO repo_stats (repo_id, job_id, at, mode) VALUES ('r1', 'j1', '" + OLD
                                  + "', 'raw-data')");
                s.execute("INSERT INTO snapshot_report_parts VALUES ('rep', 1, 2, 'r1', 'h1', '" + OLD + "', '" + OLD
                                  + "', '[]')");
                s.execute("INSERT INTO snapshot_reports_done VALUES ('rep0', '" + OLD + "')");
                s.execute("INSERT INTO snapshots (repo_id, id, short_id, time_ns, time, hostname, paths, tags) "
                                  + "VALUES ('r1', 'abc', 'abc', 0, '" + RESTIC + "', 'web-1', '[]', '[]')");
            }
            try (SqliteStore store = SqliteStore.open(file)) {
                String[][] columns = {
                        {"repos", "last_check_at"}, {"repos", "snapshots_reported_at"}, {"repos", "created_at"},
                        {"repos", "updated_at"}, {"hosts", "presence_at"}, {"hosts", "last_seen_at"},
                        {"hosts", "created_at"}, {"hosts", "updated_at"}, {"deleted_hosts", "deleted_at"},
                        {"processed_events", "received_at"}, {"repo_stats", "at"}, {"snapshot_report_parts", "at"},
                        {"snapshot_report_parts", "received_at"}, {"snapshot_reports_done", "done_at"}};
                for (String[] column : columns) {
                    assertThat(column[0] + "." + column[1], text(store, "SELECT " + column[1] + " FROM " + column[0]),
                               is(Optional.of(NEW)));
                }
                assertThat(text(store, "SELECT last_backup_finished_at FROM hosts"), is(Optional.empty()));
                assertThat(text(store, "SELECT time FROM snapshots"), is(Optional.of(RESTIC)));
                // every later migration ran too (this test pins V4 and V5, not the newest number)
                assertThat(Integer.parseInt(text(store, "SELECT MAX(version) FROM schema_migrations").orElseThrow()) >= 5,
                           is(true));
                // V5: the host's one repository became its primary link, nothing else changed
                assertThat(text(store, "SELECT host_id || ' ' || repo_id || ' ' || role FROM host_repos"),
                           is(Optional.of("h1 r1 primary")));
                assertThat(new HostStore(store).repos("h1").getFirst().primary(), is(true));

                HostView host = new HostStore(store).find("h1").orElseThrow();
                assertThat(host.lastSeenAt(), is(Instant.parse(NEW)));
                assertThat(host.lastBackup(), is(nullValue()));
                assertThat(new RepoStore(store).find("r1").orElseThrow().lastCheckAt(), is(Instant.parse(NEW)));
            }
        } finally {
            TestEnv.deleteTree(dir);
        }
    }

    private static Optional<String> text(SqliteStore store, String sql) throws Exception {
        try (Connection c = store.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = TimeMigrationTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
