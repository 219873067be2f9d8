package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.resticmanager.jobs.TestSupport.ADMIN;
import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.finished;
import static io.resticmanager.jobs.TestSupport.host;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Alerts end to end against a real jobs-service, real SQLite and a real HTTP receiver: a failed backup fires once
 * and reaches the webhook (signed) at once, acknowledgement and automatic resolution, silences, a channel that is
 * down gets everything once it is back, host offline beyond its grace, the RPO view, and who may do what.
 */
@ServerTest
class AlertFlowTest {
    private static final String SECRET = "webhook-signing-secret-1";
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    /** A real HTTP receiver on loopback that records each request with the status it answered. */
    static final class Receiver implements AutoCloseable {
        record Received(String path, Headers headers, byte[] body, int answered) {
        }

        private final HttpServer server;
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        private volatile int status = 200;

        Receiver() throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                int answer = status;
                received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(),
                                          exchange.getRequestBody().readAllBytes(), answer));
                exchange.sendResponseHeaders(answer, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        Received take() throws InterruptedException {
            Received r = received.poll(5, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("nothing received within 5 s");
            }
            return r;
        }

        int pending() {
            return received.size();
        }

        /** What arrived and was not taken yet, for a failure message. */
        String pendingBodies() {
            StringBuilder all = new StringBuilder();
            received.forEach(r -> all.append(r.path()).append(' ').append(new String(r.body(), StandardCharsets.UTF_8))
                    .append('\n'));
            return all.toString();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    AlertFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-alerts", Map.of("rm.jobs.alert-sweep-interval-s", "0.2"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private String channel(Receiver receiver, String name, List<String> rules) {
        TestSupport.Api.Reply created = api.post("/api/alert-channels", ADMIN, Map.of(
                "name", name, "kind", "webhook", "rules", rules,
                "config", Map.of("url", receiver.url() + "/hook/" + name, "secret", SECRET)));
        assertThat(created.body().toString(), created.status(), is(201));
        return created.body().path("id").asText();
    }

    private String failedBackup(String host) {
        String job = api.runNow(host, backup("/etc"));
        await("job.start").until(() -> !stack.hub.starts(job).isEmpty());
        api.events(ack(host, job, 1), finished(host, job, 2, JobStatus.FAILED, 1));
        return job;
    }

    private String goodBackup(String host) {
        String job = api.runNow(host, backup("/etc"));
        await("job.start").until(() -> !stack.hub.starts(job).isEmpty());
        api.events(ack(host, job, 1), finished(host, job, 2, JobStatus.SUCCEEDED, 0));
        return job;
    }

    private static JsonNode signedBody(Receiver.Received r) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body()));
        assertThat(r.headers().getFirst("X-RM-Signature"), is(expected));
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void aFailedBackupAlertsOnceAtOnceAndResolvesWithTheNextGoodOne() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        Receiver receiver = new Receiver();
        channel(receiver, "backups-" + host.substring(2, 10), List.of("backup_failed"));

        long start = System.nanoTime();
        String job = failedBackup(host);
        JsonNode fired = signedBody(receiver.take());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat("delivered within 2 s, took " + ms + " ms", ms < 2000, is(true));
        assertThat(fired.path("rule").asText(), is("backup_failed"));
        assertThat(fired.path("state").asText(), is("firing"));
        assertThat(fired.path("host_id").asText(), is(host));
        assertThat(fired.path("summary").asText(), containsString("boom"));

        JsonNode alerts = api.get("/api/alerts?host_id=" + host, VIEWER).body();
        assertThat(alerts.path("items").size(), is(1));
        JsonNode alert = alerts.path("items").get(0);
        assertThat(alert.path("state").asText(), is("firing"));
        assertThat(alert.path("job_id").asText(), is(job));
        String id = alert.path("id").asText();

        // the same failure again: still one alert, no second message
        failedBackup(host);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(receiver.pendingBodies(), receiver.pending(), is(0)));
        assertThat(api.get("/api/alerts?host_id=" + host, VIEWER).body().path("items").size(), is(1));

        // acknowledged by a person (audited), then resolved by the next good backup, which is announced
        assertThat(api.post("/api/alerts/" + id + "/ack", VIEWER, Map.of()).status(), is(403));
        TestSupport.Api.Reply acked = api.post("/api/alerts/" + id + "/ack", OPERATOR, Map.of());
        assertThat(acked.body().path("state").asText(), is("acknowledged"));
        assertThat(acked.body().path("acked_by").asText(), is("olivia"));
        assertThat(acked.header("X-RM-Audit-Action"), is("alert.ack"));
        assertThat(api.post("/api/alerts/" + id + "/ack", OPERATOR, Map.of()).status(), is(409));
        goodBackup(host);
        JsonNode resolved = signedBody(receiver.take());
        assertThat(resolved.path("state").asText(), is("resolved"));
        assertThat(resolved.path("alert_id").asText(), is(id));
        JsonNode shown = api.get("/api/alerts/" + id, VIEWER).body();
        assertThat(shown.path("state").asText(), is("resolved"));
        assertThat(shown.path("resolved_by").asText(), is("system"));
        assertThat(shown.path("history").size(), is(3));

        // the delivery log shows what was sent, when
        JsonNode log = api.get("/api/alerts/deliveries", ADMIN).body().path("items");
        assertThat(log.toString(), containsString("\"status\":\"sent\""));
        assertThat(api.get("/api/alerts/deliveries", OPERATOR).status(), is(403));
    }

    @Test
    void aBurstOfAlertsIsDeliveredExactlyOnceEach() throws Exception {
        // many deliveries in flight at once: a sender finishing while the outbox reads its next batch must not make
        // the outbox send that delivery a second time (a person paged twice for one failure learns to ignore pages)
        Receiver receiver = new Receiver();
        String prefix = host().substring(0, 6);
        channel(receiver, "burst-" + prefix, List.of("backup_failed"));
        List<String> hosts = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String host = host();
            stack.inventory.host(host, "repo-" + host);
            hosts.add(host);
        }
        hosts.parallelStream().forEach(this::failedBackup);
        Map<String, Integer> perAlert = new java.util.HashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            perAlert.merge(signedBody(receiver.take()).path("alert_id").asText(), 1, Integer::sum);
        }
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(receiver.pendingBodies(), receiver.pending(), is(0)));
        assertThat(perAlert.toString(), perAlert.size(), is(hosts.size()));
    }

    @Test
    void aSilencedHostRecordsItsAlertsWithoutNotifying() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        Receiver receiver = new Receiver();
        channel(receiver, "silenced-" + host.substring(2, 10), List.of("backup_failed"));
        TestSupport.Api.Reply silence = api.post("/api/alerts/silences", OPERATOR, Map.of(
                "host_id", host, "duration_s", 3600, "reason", "planned maintenance"));
        assertThat(silence.body().toString(), silence.status(), is(201));
        assertThat(silence.header("X-RM-Audit-Action"), is("alert.silence"));
        failedBackup(host);
        await("the alert recorded").until(() -> api.get("/api/alerts?host_id=" + host, VIEWER).body().path("items")
                .size() == 1);
        assertThat(api.get("/api/alerts?host_id=" + host, VIEWER).body().path("items").get(0).path("silenced")
                           .asBoolean(), is(true));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(receiver.pendingBodies(), receiver.pending(), is(0)));
        // bad silences are refused clearly
        assertThat(api.post("/api/alerts/silences", OPERATOR, Map.of("duration_s", 60)).status(), is(422));
        assertThat(api.post("/api/alerts/silences", OPERATOR, Map.of("rule", "nope", "duration_s", 60)).status(),
                   is(422));
        assertThat(api.post("/api/alerts/silences", OPERATOR, Map.of("host_id", host, "until", "tomorrow")).status(),
                   is(422));
        assertThat(api.delete("/api/alerts/silences/" + silence.body().path("id").asText(), OPERATOR).status(),
                   is(204));
    }

    @Test
    void aChannelThatIsDownGetsEveryMessageOnceItIsBack() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String name = "flaky-" + host.substring(2, 10);
        Receiver flaky = new Receiver();
        channel(flaky, name, List.of("check_failed"));
        flaky.status = 503;
        String job = api.runNow(host, Map.of("kind", "check"));
        await("job.start").until(() -> !stack.hub.starts(job).isEmpty());
        api.events(ack(host, job, 1), finished(host, job, 2, JobStatus.FAILED, 1));
        // refused twice (503), then the receiver is back: the same message arrives, once, with the signature
        assertThat(flaky.take().path(), containsString(name));
        assertThat(flaky.take().path(), containsString(name));
        flaky.status = 200;
        JsonNode body = null;
        for (int i = 0; i < 10 && body == null; i++) {
            Receiver.Received r = flaky.take();
            body = r.answered() == 200 ? signedBody(r) : null;
        }
        assertThat(body.path("rule").asText(), is("check_failed"));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat("delivered once", flaky.pending(), is(0)));
    }

    @Test
    void aHostOfflineLongerThanItsGraceAlertsAndResolvesWhenItReturns() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(TestSupport.online(host));
        assertThat(api.put("/api/alerts/rules/host_offline/overrides", ADMIN, Map.of("subject", "host:" + host,
                                                                                     "threshold_s", 1)).status(),
                   is(200));
        assertThat(api.put("/api/alerts/rules/host_offline/overrides", OPERATOR, Map.of("subject", "host:" + host,
                                                                                        "threshold_s", 1)).status(),
                   is(403));
        api.events(TestSupport.offline(host));
        await("host_offline fires").until(() -> api.get("/api/alerts?host_id=" + host, VIEWER)
                .body().path("items").toString().contains("host_offline"));
        api.events(TestSupport.online(host));
        await("host_offline resolves").until(() -> api.get("/api/alerts?host_id=" + host
                + "&state=resolved", VIEWER).body().path("items").toString().contains("host_offline"));
    }

    @Test
    void rulesChannelsAndTheRpoViewAreValidatedAndShownWithoutSecrets() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        goodBackup(host);
        await("the RPO view lists the host")
                .until(() -> api.get("/api/alerts/rpo", VIEWER).body().path("items").toString().contains(host));
        Receiver receiver = new Receiver();
        String id = channel(receiver, "shown-" + host.substring(2, 10), List.of());
        JsonNode shown = api.get("/api/alert-channels/" + id, ADMIN).body();
        assertThat(shown.toString(), not(containsString(SECRET)));
        assertThat(api.get("/api/alert-channels", OPERATOR).status(), is(403));
        assertThat(api.post("/api/alert-channels", ADMIN, Map.of("name", "x", "kind", "pager", "config", Map.of()))
                           .status(), is(422));
        assertThat(api.post("/api/alert-channels", ADMIN, Map.of("name", "y", "kind", "webhook",
                                                                 "config", Map.of("url", "file:///etc/passwd")))
                           .status(), is(422));
        assertThat(api.patch("/api/alerts/rules/rpo_breached", ADMIN, Map.of("severity", "loud")).status(), is(422));
        assertThat(api.patch("/api/alerts/rules/rpo_breached", ADMIN, Map.of("threshold_s", 7200)).body()
                           .path("threshold_s").asLong(), is(7200L));
        assertThat(api.patch("/api/alerts/rules/rpo_breached", OPERATOR, Map.of("threshold_s", 1)).status(), is(403));
        assertThat(api.patch("/api/alerts/rules/nope", ADMIN, Map.of("enabled", false)).status(), is(404));
        assertThat(api.get("/api/alerts?state=weird", VIEWER).status(), is(400));
        assertThat(api.post("/api/alert-channels/" + id + "/test", ADMIN, Map.of()).body().path("delivered")
                           .asBoolean(), is(true));
        assertThat(api.delete("/api/alert-channels/" + id, ADMIN).status(), is(204));
        var metrics = new io.prometheus.metrics.model.registry.PrometheusRegistry();
        io.resticmanager.jobs.alerts.AlertMetrics.register(metrics, stack.app.alerts());
        assertThat(io.resticmanager.kit.PromMetrics.text(metrics),
                   containsString("alerts_firing{rule=\"backup_failed\""));
    }

    @Test
    void anOldAgentOrResticAndAStaleLockAlertAndResolve() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(TestSupport.event(host, io.resticmanager.proto.internal.HubEvent.HOST_ONLINE,
                                     new io.resticmanager.proto.internal.HostEvents.Online(
                                             host, "linux", "amd64", "0.0.9", "0.13.1", 1, List.of())));
        await("agent_outdated fires").until(() -> api.get("/api/alerts?host_id=" + host + "&state=firing", VIEWER)
                .body().path("items").toString().contains("restic 0.13.1 is older than the oldest supported 0.14.0"));
        api.events(TestSupport.online(host));
        await("agent_outdated resolves").until(() -> api.get("/api/alerts?host_id=" + host + "&state=resolved", VIEWER)
                .body().path("items").toString().contains("agent_outdated"));

        // restic refuses a backup because a crashed run left a lock two hours ago
        String job = api.runNow(host, backup("/etc"));
        await("job.start").until(() -> !stack.hub.starts(job).isEmpty());
        api.events(ack(host, job, 1), TestSupport.event(host, "job.finished", new io.resticmanager.proto.Message
                .JobFinished(job, 2, JobStatus.FAILED, 11, Map.of(), "unable to create lock in backend: repository "
                + "is already locked by PID 4242 on db-1 by root (UID 0, GID 0)\nlock was created at 2026-12-06 "
                + "08:00:00 (2h3m4.5s ago)\nstorage ID 1a2b3c4d", java.time.Instant.now())));
        await("repo_locked fires").until(() -> api.get("/api/alerts?host_id=" + host + "&state=firing", VIEWER).body()
                .path("items").toString().contains("is locked by a lock 123 min old"));
        goodBackup(host);
        await("repo_locked resolves").until(() -> api.get("/api/alerts?host_id=" + host + "&state=resolved", VIEWER)
                .body().path("items").toString().contains("repo_locked"));
    }

    @Test
    void versionsCompareNumericallyAndLockAgesParse() {
        assertThat(io.resticmanager.jobs.alerts.AlertEngine.compareVersions("0.16.2", "0.9.9") > 0, is(true));
        assertThat(io.resticmanager.jobs.alerts.AlertEngine.compareVersions("0.14.0", "0.14") == 0, is(true));
        assertThat(io.resticmanager.jobs.alerts.AlertEngine.compareVersions("0.1.0-SNAPSHOT", "0.1.1") < 0, is(true));
        assertThat(io.resticmanager.jobs.alerts.AlertEngine.lockAge("2h3m4.5s").orElseThrow(),
                   is(Duration.ofSeconds(7384)));
        assertThat(io.resticmanager.jobs.alerts.AlertEngine.lockAge("45.2s").orElseThrow(), is(Duration.ofSeconds(45)));
        assertThat(io.resticmanager.jobs.alerts.AlertEngine.lockAge("").isPresent(), is(false));
    }
}
