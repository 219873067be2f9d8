package io.resticmanager.hub;

import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.internal.HubEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

class HubStoreTest {
    @TempDir
    Path dir;
    private SqliteStore sqlite;
    private HubStore store;
    private OutboxStore outbox;

    @BeforeEach
    void open() {
        sqlite = SqliteStore.open(dir.resolve("agent-hub.db"));
        store = new HubStore(sqlite);
        outbox = new OutboxStore(sqlite);
    }

    @AfterEach
    void close() {
        sqlite.close();
    }

    private AgentRecord agent(String hostId) {
        return new AgentRecord(hostId, "h-" + hostId, "linux", "amd64", "1", null, null, false, false, Instant.now(), null);
    }

    private boolean enroll(String token, String hostId, Instant now) {
        return store.enroll(Tokens.sha256(token), now, agent(hostId), Tokens.sha256("rma_" + hostId), "{}");
    }

    @Test
    void anEnrollmentTokenWorksOnceAndOnlyBeforeItExpires() {
        Instant now = Instant.now();
        store.createEnrollmentToken("t1", null, Tokens.sha256("rme_1"), "u", now, now.plusSeconds(60));
        store.createEnrollmentToken("t2", null, Tokens.sha256("rme_2"), "u", now, now.plusSeconds(60));
        assertThat(enroll("rme_1", "a", now), is(true));
        assertThat(enroll("rme_1", "b", now), is(false));
        assertThat(enroll("rme_2", "c", now.plusSeconds(61)), is(false));
        assertThat(enroll("rme_unknown", "d", now), is(false));
        assertThat(store.agents().stream().map(AgentRecord::hostId).toList(), is(List.of("a")));
        assertThat(store.agentByTokenHash(Tokens.sha256("rma_a")).isPresent(), is(true));
        EnrollmentToken used = store.enrollmentTokens().stream().filter(t -> t.id().equals("t1")).findFirst().orElseThrow();
        assertThat(used.usedByHostId(), is("a"));
        assertThat(used.status(now), is("used"));
    }

    @Test
    void revokedAndDisabledAgentsCannotAuthenticate() {
        Instant now = Instant.now();
        store.createEnrollmentToken("t", null, Tokens.sha256("rme_x"), "u", now, now.plusSeconds(60));
        enroll("rme_x", "h", now);
        assertThat(store.setDisabled("h", true), is(true));
        assertThat(store.agentByTokenHash(Tokens.sha256("rma_h")).orElseThrow().active(), is(false));
        assertThat(store.setDisabled("h", false), is(true));
        assertThat(store.revoke("h", now), is(true));
        assertThat(store.agentByTokenHash(Tokens.sha256("rma_h")).isPresent(), is(false));
        assertThat(store.agent("h").orElseThrow().revoked(), is(true));
        // jobs-service learns it, so the host's schedules go with it
        assertThat(outbox.pending(Destination.JOBS, 10).stream().map(OutboxStore.StoredEvent::type).toList()
                           .contains(HubEvent.HOST_REMOVED), is(true));
        assertThat(store.revoke("nope", now), is(false));
    }

    @Test
    void hostsThatWereOnlineWhenTheHubDiedAreReportedOfflineOnStart() throws Exception {
        Instant now = Instant.now();
        store.createEnrollmentToken("t", null, Tokens.sha256("rme_y"), "u", now, now.plusSeconds(60));
        enroll("rme_y", "h", now);
        sqlite.db().execute().update("UPDATE agents SET online = 1, last_seen_at = ? WHERE host_id = 'h'",
                                     Times.format(now));
        assertThat(store.resetPresence(now), is(1));
        assertThat(store.resetPresence(now), is(0));
        List<OutboxStore.StoredEvent> jobs = outbox.pending(Destination.JOBS, 10);
        assertThat(jobs, hasSize(1));
        assertThat(jobs.getFirst().type(), is(HubEvent.HOST_OFFLINE));
        assertThat(jobs.getFirst().payload().contains("last_seen_at"), is(true));
        // inventory also gets the enrollment, first
        List<String> inventory = outbox.pending(Destination.INVENTORY, 10).stream()
                .map(OutboxStore.StoredEvent::type).toList();
        assertThat(inventory, is(List.of(HubEvent.HOST_ENROLLED, HubEvent.HOST_OFFLINE)));
    }

    @Test
    void anOutboxRowStaysUntilEveryReceiverHasIt() throws Exception {
        sqlite.write(tx -> {
            OutboxStore.insert(tx, List.of(new OutboxStore.NewEvent("h", HubEvent.HOST_ONLINE, Instant.now(), "{}"),
                                           new OutboxStore.NewEvent("h", "job.log", Instant.now(), "{}"),
                                           new OutboxStore.NewEvent("h", "fs.list.result", Instant.now(), "{}")));
            return null;
        });
        List<OutboxStore.StoredEvent> jobs = outbox.pending(Destination.JOBS, 10);
        assertThat(jobs.stream().map(OutboxStore.StoredEvent::type).toList(),
                   is(List.of(HubEvent.HOST_ONLINE, "job.log")));
        outbox.delivered(Destination.JOBS, jobs.stream().map(OutboxStore.StoredEvent::id).toList());
        assertThat(outbox.pendingCount(Destination.JOBS), is(0L));
        List<OutboxStore.StoredEvent> inventory = outbox.pending(Destination.INVENTORY, 10);
        assertThat(inventory, hasSize(1));
        try (Connection c = sqlite.connect()) {
            assertThat(count(c), is(1L));
            outbox.delivered(Destination.INVENTORY, List.of(inventory.getFirst().id()));
            assertThat(count(c), is(0L));
        }
    }

    private static long count(Connection c) throws Exception {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
