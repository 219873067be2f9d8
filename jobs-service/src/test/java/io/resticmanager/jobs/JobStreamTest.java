package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.finished;
import static io.resticmanager.jobs.TestSupport.host;
import static io.resticmanager.jobs.TestSupport.log;
import static io.resticmanager.jobs.TestSupport.progress;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The live log WebSocket: backlog, live lines, progress, final status, then close; many browsers at once. */
@ServerTest
class JobStreamTest {
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;
    private final URI uri;

    JobStreamTest(URI uri) {
        this.uri = uri;
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-stream");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** A browser tailing a job: collects whole text messages until the server closes. */
    static class Tail implements WebSocket.Listener {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(Json.MAPPER.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        JsonNode next() throws InterruptedException {
            JsonNode m = messages.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 10 s");
            }
            return m;
        }

        /** Reads messages until a status message with a terminal status; returns every message read. */
        List<JsonNode> untilFinal() throws InterruptedException {
            List<JsonNode> seen = new ArrayList<>();
            while (true) {
                JsonNode m = next();
                seen.add(m);
                if (m.path("type").asText().equals("status")
                        && JobStatus.fromWire(m.path("job").path("status").asText()).terminal()) {
                    return seen;
                }
            }
        }
    }

    private WebSocket connect(String jobId, Tail tail, Principal principal, boolean withToken) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (withToken) {
            builder.header(Http.INTERNAL_TOKEN.defaultCase(), Stubs.TOKEN);
        }
        if (principal != null) {
            builder.header(Http.PRINCIPAL.defaultCase(), principal.toHeader());
        }
        return builder.buildAsync(URI.create("ws://" + uri.getHost() + ":" + uri.getPort() + "/api/jobs/" + jobId
                                                     + "/stream"), tail).join();
    }

    private static List<Long> seqs(List<JsonNode> messages) {
        List<Long> seqs = new ArrayList<>();
        for (JsonNode m : messages) {
            if (m.path("type").asText().equals("log")) {
                m.path("items").forEach(i -> seqs.add(i.path("seq").asLong()));
            }
        }
        return seqs;
    }

    @Test
    void streamsBacklogThenLiveLinesProgressAndFinalStatusThenCloses() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, backup("/etc"));
        await("dispatched").until(() -> !stack.hub.starts(jobId).isEmpty());
        api.events(ack(host, jobId, 1), log(host, jobId, 2, 3));

        Tail first = new Tail();
        Tail second = new Tail();
        connect(jobId, first, VIEWER, true);
        connect(jobId, second, VIEWER, true);

        JsonNode backlog = first.next();
        assertThat(backlog.path("type").asText(), is("log"));
        assertThat(backlog.path("items").size(), is(4));
        assertThat(backlog.path("items").get(1).path("line").asText(), is("line 2"));
        JsonNode status = first.next();
        assertThat(status.path("type").asText(), is("status"));
        assertThat(status.path("job").path("status").asText(), is("running"));

        await("both subscribed").until(() -> stack.app.fanout().subscriberCount(jobId) == 2);
        api.events(log(host, jobId, 5, 2));
        JsonNode live = first.next();
        assertThat(live.path("type").asText(), is("log"));
        assertThat(live.path("items").get(0).path("seq").asLong(), is(5L));

        api.events(progress(host, jobId, 7, 55.0));
        JsonNode prog = first.next();
        assertThat(prog.path("type").asText(), is("progress"));
        assertThat(prog.path("percent").asDouble(), is(55.0));

        api.events(log(host, jobId, 8, 100), finished(host, jobId, 108, JobStatus.SUCCEEDED, 0));
        List<JsonNode> rest = first.untilFinal();
        JsonNode last = rest.getLast();
        assertThat(last.path("job").path("status").asText(), is("succeeded"));
        assertThat(last.path("job").path("summary").path("snapshot_id").asText(), is("abcd1234"));
        assertThat(first.closed.get(10, TimeUnit.SECONDS), is(1000));

        // Every line exactly once, in order, for both browsers.
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= 108; s++) {
            if (s != 7) {
                expected.add(s);
            }
        }
        List<JsonNode> all = new ArrayList<>(List.of(backlog, status, live, prog));
        all.addAll(rest);
        assertThat(seqs(all), is(expected));
        List<JsonNode> secondAll = second.untilFinal();
        assertThat(seqs(secondAll), is(expected));
        assertThat(second.closed.get(10, TimeUnit.SECONDS), is(1000));
        await("unsubscribed").until(() -> stack.app.fanout().subscriberCount(jobId) == 0);
    }

    @Test
    void aFinishedJobStreamsItsWholeLogAndFinalStatus() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, backup("/etc"));
        await("dispatched").until(() -> !stack.hub.starts(jobId).isEmpty());
        api.events(ack(host, jobId, 1), log(host, jobId, 2, 2500), finished(host, jobId, 2502, JobStatus.FAILED, 1));
        Tail tail = new Tail();
        connect(jobId, tail, VIEWER, true);
        List<JsonNode> messages = tail.untilFinal();
        assertThat(seqs(messages).size(), is(2502));
        assertThat(messages.getLast().path("job").path("error").asText(), is("boom"));
        assertThat(tail.closed.get(10, TimeUnit.SECONDS), greaterThanOrEqualTo(1000));
    }

    @Test
    void aStalledBrowserDoesNotSlowIngestionOrOtherBrowsers() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, backup("/etc"));
        await("dispatched").until(() -> !stack.hub.starts(jobId).isEmpty());
        api.events(ack(host, jobId, 1));

        // Reads its first message and then nothing more: its socket fills up and its writer blocks.
        Tail stalled = new Tail() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                return null;
            }
        };
        Tail healthy = new Tail();
        connect(jobId, stalled, VIEWER, true);
        connect(jobId, healthy, VIEWER, true);
        await("both subscribed").until(() -> stack.app.fanout().subscriberCount(jobId) == 2);

        long start = System.nanoTime();
        long seq = 2;
        for (int batch = 0; batch < 40; batch++) {
            assertThat(api.events(log(host, jobId, seq, 2000)).status(), is(200));
            seq += 2000;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        api.events(finished(host, jobId, seq, JobStatus.SUCCEEDED, 0));
        System.out.printf("ingested 80000 lines in %.2f s with a stalled browser attached%n", seconds);

        List<Long> seen = seqs(healthy.untilFinal());
        assertThat(seen.size(), is((int) seq));
        assertThat(seen.getLast(), is(seq));
    }

    @Test
    void browsersSharingReadsEachGetEveryLineOnceInOrder() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, backup("/etc"));
        await("dispatched").until(() -> !stack.hub.starts(jobId).isEmpty());
        api.events(ack(host, jobId, 1));
        List<Tail> tails = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Tail tail = new Tail();
            connect(jobId, tail, VIEWER, true);
            tails.add(tail);
        }
        await("all subscribed").until(() -> stack.app.fanout().subscriberCount(jobId) == 6);
        long seq = 2;
        for (int batch = 0; batch < 25; batch++) {
            int n = 300 + batch * 97; // uneven batches: chunk boundaries move
            api.events(log(host, jobId, seq, n));
            seq += n;
        }
        api.events(finished(host, jobId, seq, JobStatus.SUCCEEDED, 0));
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= seq; s++) {
            expected.add(s);
        }
        for (Tail tail : tails) {
            assertThat(seqs(tail.untilFinal()), is(expected));
        }
    }

    @Test
    void upgradeNeedsTheInternalTokenAPrincipalAndAKnownJob() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, backup("/etc"));
        CompletionException noToken = assertThrows(CompletionException.class,
                                                   () -> connect(jobId, new Tail(), VIEWER, false));
        assertThat(noToken.getCause(), instanceOf(java.net.http.WebSocketHandshakeException.class));
        assertThat(((java.net.http.WebSocketHandshakeException) noToken.getCause()).getResponse().statusCode(), is(401));
        CompletionException noPrincipal = assertThrows(CompletionException.class,
                                                       () -> connect(jobId, new Tail(), null, true));
        assertThat(((java.net.http.WebSocketHandshakeException) noPrincipal.getCause()).getResponse().statusCode(),
                   is(401));
        CompletionException unknown = assertThrows(CompletionException.class,
                                                   () -> connect("no-such-job", new Tail(), VIEWER, true));
        assertThat(((java.net.http.WebSocketHandshakeException) unknown.getCause()).getResponse().statusCode(),
                   is(404));
        assertThat(api.get("/api/jobs/" + jobId + "/stream", VIEWER).status(), is(426));
        assertThat(jobId, notNullValue());
    }
}
