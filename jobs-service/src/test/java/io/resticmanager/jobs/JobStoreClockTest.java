package io.resticmanager.jobs;

import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;

/** The times a store transaction stamps by itself come from the service's clock, not the machine's. */
class JobStoreClockTest {
    private static final Instant NOW = Instant.parse("2031-03-04T05:06:07Z");

    private SqliteStore sqlite;
    private JobStore store;

    @BeforeEach
    void open() throws Exception {
        sqlite = SqliteStore.open(Files.createTempDirectory("jobs-clock").resolve("jobs.db"));
        store = JobStore.create(sqlite, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        sqlite.close();
    }

    @Test
    void aFinishedBackupMarksItsRepositoryForAStatsRefreshAtTheClocksTime() {
        store.db().execute().insert("INSERT INTO jobs (id, host_id, repo_id, kind, status, params_json, created_at, "
                                            + "started_at) VALUES ('j1', 'h1', 'r1', 'backup', 'running', '{}', ?, ?)",
                                    Times.now(), Times.now());
        // the agent's finish time is its own; the refresh mark is the server's
        Instant agentFinished = NOW.minusSeconds(3600);
        store.write(tx -> tx.toTerminal("j1", JobStatus.SUCCEEDED, 0, Map.of(), null, agentFinished));

        List<String> marks = new StatsRefreshStore(store).due(NOW.plusSeconds(1), NOW.plusSeconds(1)).stream()
                .map(StatsRefreshStore.Due::lastAt).toList();
        assertThat(marks, contains(Times.format(NOW)));
    }
}
