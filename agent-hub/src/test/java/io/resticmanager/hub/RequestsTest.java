package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/** {@code POST /internal/agents/{id}/requests}: request/reply correlation over the agent's socket. */
class RequestsTest {
    private static final String LS = "{\"type\":\"snapshot.ls\",\"payload\":{\"repo\":{\"repo_id\":\"r-1\","
            + "\"url\":\"/srv/restic\",\"password\":\"s3cret-pw\",\"env\":{}},\"snapshot_id\":\"1a2b3c4d\",\"path\":\"/home\"}}";
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass(Map.of("rm.hub.request-timeout-ms", "700"));

    private static CompletableFuture<HttpResponse<String>> ask(String hostId, String body) {
        return CompletableFuture.supplyAsync(() -> f.post("/internal/agents/" + hostId + "/requests", null, body));
    }

    @Test
    void theReplyWithTheRequestsCorrelationIsTheAnswerAndNeverAnOutboxEvent() throws Exception {
        HubFixture.Enrolled host = f.enroll("files-1");
        try (TestAgent agent = f.online(host)) {
            CompletableFuture<HttpResponse<String>> answer = ask(host.hostId(), LS);
            JsonNode request = agent.next("snapshot.ls");
            assertThat(request.at("/payload/path").asText(), is("/home"));
            assertThat(request.at("/payload/repo/password").asText(), is("s3cret-pw"));
            // an unrelated reply first: it must not satisfy the waiting request
            agent.send(new Envelope(1, io.resticmanager.proto.MessageType.SNAPSHOT_LS_RESULT, "other-1", "not-the-request",
                                    Instant.now(), new Message.SnapshotLsResult("/etc", List.of(), null, false)));
            Message.SnapshotLsResult result = new Message.SnapshotLsResult("/home", List.of(
                    new Message.SnapshotEntry("alice", "dir", "/home/alice", 0, Instant.parse("2026-11-25T08:00:00Z"))),
                    null, false);
            Envelope decoded = Frames.decode(request.toString());
            agent.send(Envelope.replyTo(decoded, result));

            HttpResponse<String> r = answer.get(5, TimeUnit.SECONDS);
            assertThat(r.body(), r.statusCode(), is(200));
            JsonNode body = HubFixture.json(r);
            assertThat(body.get("path").asText(), is("/home"));
            assertThat(body.at("/entries/0/path").asText(), is("/home/alice"));
            assertThat(body.at("/entries/0/type").asText(), is("dir"));

            // a later event still flows, but the replies never reached either receiver
            agent.send(Envelope.of(new Message.HostFacts("files-1", "linux", "amd64", "0.1.0", "0.14.0", false)));
            f.inventory.await(StubReceiver.type("host.facts", host.hostId()), 1, Duration.ofSeconds(5));
            assertThat(f.inventory.events(e -> e.type().startsWith("snapshot.ls")), is(empty()));
            assertThat(f.jobs.events(e -> e.type().startsWith("snapshot.ls")), is(empty()));
            assertThat(f.hub.requests().size(), is(0));
        }
    }

    /** Background indexing: the request reaches only its host, and only that host's reply answers it. */
    @Test
    void snapshotIndexIsAnsweredByItsHostOnly() throws Exception {
        String snapshot = "1a2b3c4d".repeat(8);
        String body = "{\"type\":\"snapshot.index\",\"payload\":{\"repo\":{\"repo_id\":\"r-1\",\"url\":\"/srv/restic\","
                + "\"password\":\"s3cret-pw\",\"env\":{}},\"snapshot_id\":\"" + snapshot + "\"}}";
        HubFixture.Enrolled host = f.enroll("index-1");
        HubFixture.Enrolled other = f.enroll("index-2");
        try (TestAgent agent = f.online(host); TestAgent hostile = f.online(other)) {
            CompletableFuture<HttpResponse<String>> answer = ask(host.hostId(), body);
            Envelope request = Frames.decode(agent.next("snapshot.index").toString());
            // another host replaying the request's id cannot answer it
            hostile.send(Envelope.replyTo(request, new Message.SnapshotIndexResult(snapshot, false, "forged")));
            agent.send(Envelope.replyTo(request, new Message.SnapshotIndexResult(snapshot, true, null)));
            HttpResponse<String> r = answer.get(5, TimeUnit.SECONDS);
            assertThat(r.body(), r.statusCode(), is(200));
            assertThat(HubFixture.json(r).path("accepted").asBoolean(), is(true));
            assertThat(f.inventory.events(e -> e.type().startsWith("snapshot.index")), is(empty()));
        }
    }

    @Test
    void silenceIsA504AfterTheTimeoutAndALateReplyIsDropped() throws Exception {
        HubFixture.Enrolled host = f.enroll("slow-1");
        try (TestAgent agent = f.online(host)) {
            long t0 = System.nanoTime();
            CompletableFuture<HttpResponse<String>> answer = ask(host.hostId(), LS);
            JsonNode request = agent.next("snapshot.ls");
            HttpResponse<String> r = answer.get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode(), is(504));
            assertThat(r.body(), containsString("did not answer"));
            assertThat(ms, lessThan(3000L));
            agent.send(Envelope.replyTo(Frames.decode(request.toString()),
                                        new Message.SnapshotLsResult("/home", List.of(), null, false)));
            assertThat(agent.quietFor(300), is(true)); // dropped quietly, no error back to the agent
            assertThat(f.hub.requests().size(), is(0));
        }
    }

    @Test
    void anErrorReplyIsA502AndAnOfflineHostA409() throws Exception {
        HubFixture.Enrolled host = f.enroll("broken-1");
        try (TestAgent agent = f.online(host)) {
            CompletableFuture<HttpResponse<String>> answer = ask(host.hostId(), LS);
            JsonNode request = agent.next("snapshot.ls");
            agent.send(Envelope.replyTo(Frames.decode(request.toString()),
                                        Message.Error.of(ErrorCode.INTERNAL, "restic exploded")));
            HttpResponse<String> r = answer.get(5, TimeUnit.SECONDS);
            assertThat(r.statusCode(), is(502));
            assertThat(r.body(), containsString("restic exploded"));
        }
        HubFixture.Enrolled offline = f.enroll("offline-1");
        assertThat(ask(offline.hostId(), LS).get(5, TimeUnit.SECONDS).statusCode(), is(409));
        assertThat(ask("no-such-host", LS).get(5, TimeUnit.SECONDS).statusCode(), is(404));
    }

    @Test
    void aDisconnectFailsTheWaitingRequestAtOnce() throws Exception {
        HubFixture.Enrolled host = f.enroll("flaky-1");
        TestAgent agent = f.online(host);
        CompletableFuture<HttpResponse<String>> answer = ask(host.hostId(), LS);
        agent.next("snapshot.ls");
        agent.close();
        HttpResponse<String> r = answer.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode(), is(502));
        assertThat(r.body(), containsString("disconnected"));
    }

    @Test
    void onlyRequestTypesAreAcceptedAndSecretsStayOutOfProblems() {
        HubFixture.Enrolled host = f.enroll("types-1");
        HttpResponse<String> r = f.post("/internal/agents/" + host.hostId() + "/requests", null,
                                        "{\"type\":\"job.start\",\"payload\":{}}");
        assertThat(r.statusCode(), is(400));
        HttpResponse<String> bad = f.post("/internal/agents/" + host.hostId() + "/requests", null,
                                          LS.replace("\"snapshot_id\":\"1a2b3c4d\",", ""));
        assertThat(bad.statusCode(), is(400));
        assertThat(bad.body(), not(containsString("s3cret-pw")));
    }
}
