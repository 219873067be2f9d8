package io.resticmanager.hub;

import io.resticmanager.kit.SqlScript;
import io.resticmanager.kit.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** V2 turns the epoch-millisecond times of V1 into kit Times text and keeps the outbox id sequence. */
class TimesMigrationTest {
    @TempDir
    Path dir;

    @Test
    void epochMillisBecomeTimesTextAndEventIdsAreNeverReused() throws Exception {
        Path file = dir.resolve("agent-hub.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            String v1;
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("db/migration/V1__init.sql")) {
                v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String sql : SqlScript.statements(v1)) {
                s.execute(sql);
            }
            s.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
            s.execute("INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z')");
            s.execute("INSERT INTO enrollment_tokens VALUES ('t', NULL, 'th', 'u', 1767225600000, 1767229200123, "
                              + "1767225601999, 'h')");
            s.execute("INSERT INTO agents (host_id, token_hash, hostname, enrolled_at, last_seen_at, online) "
                              + "VALUES ('h', 'ah', 'host', 1767225601999, 1767225700001, 1)");
            s.execute("INSERT INTO outbox (host_id, type, at, payload, to_jobs, to_inventory) "
                              + "VALUES ('h', 'job.log', 1767225700001, '{}', 1, 0)");
            s.execute("INSERT INTO outbox (host_id, type, at, payload, to_jobs, to_inventory) "
                              + "VALUES ('h', 'job.log', 1767225700002, '{}', 1, 0)");
            s.execute("DELETE FROM outbox WHERE id = 2"); // delivered: the sequence is past the highest id left
        }
        try (SqliteStore sqlite = SqliteStore.open(file)) {
            HubStore store = new HubStore(sqlite);
            EnrollmentToken token = store.enrollmentTokens().getFirst();
            assertThat(token.createdAt(), is(Instant.parse("2026-01-01T00:00:00Z")));
            assertThat(token.expiresAt(), is(Instant.parse("2026-01-01T01:00:00.123Z")));
            assertThat(token.usedAt(), is(Instant.parse("2026-01-01T00:00:01.999Z")));
            AgentRecord agent = store.agent("h").orElseThrow();
            assertThat(agent.enrolledAt(), is(Instant.parse("2026-01-01T00:00:01.999Z")));
            assertThat(agent.lastSeenAt(), is(Instant.parse("2026-01-01T00:01:40.001Z")));
            assertThat(agent.revoked(), is(false));
            try (Connection c = sqlite.connect(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT last_seen_at, typeof(last_seen_at) FROM agents")) {
                rs.next();
                assertThat(rs.getString(1), is("2026-01-01T00:01:40.001Z"));
                assertThat(rs.getString(2), is("text"));
            }
            OutboxStore outbox = new OutboxStore(sqlite);
            List<OutboxStore.StoredEvent> pending = outbox.pending(Destination.JOBS, 10);
            assertThat(pending.size(), is(1));
            assertThat(pending.getFirst().id(), is(1L));
            assertThat(pending.getFirst().at(), is(Instant.parse("2026-01-01T00:01:40.001Z")));
            assertThat(store.resetPresence(Instant.now()), is(1));
            long newest = outbox.pending(Destination.JOBS, 10).getLast().id();
            assertThat(newest, greaterThan(2L));
        }
    }
}
