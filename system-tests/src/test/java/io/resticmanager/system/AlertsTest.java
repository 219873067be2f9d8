package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.resticmanager.proto.Json;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Alerts that reach a person, with real parts: a real agent's backup fails for real (its repository's config file
 * is moved away), and a webhook (a real HTTP receiver checking the HMAC signature), ntfy (its publish API, received
 * by a local HTTP server: there is no ntfy server package here) and an e-mail (GreenMail, a real SMTP server) each
 * arrive within 5 s of the job's end; the alert resolves by itself with the next good backup; a host stopped past
 * its grace alerts and resolves when it returns; a webhook receiver that is down for a minute still gets that alert,
 * once, when it is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsTest {
    private static final String PASSWORD = "alerts-repo-password";
    private static final String SECRET = "alerts-webhook-secret";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String hostId;
    private static Path repo;
    private static Path source;
    private static Receiver webhook;
    private static Receiver ntfy;
    private static GreenMail mail;

    /** A real HTTP server on loopback recording what arrives and when. */
    static final class Receiver implements AutoCloseable {
        record Received(String path, Map<String, List<String>> headers, byte[] body, Instant at) {
            JsonNode json() {
                return Json.read(new String(body, StandardCharsets.UTF_8), JsonNode.class);
            }
        }

        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        private final HttpServer server;

        Receiver(int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", exchange -> {
                received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(),
                                          exchange.getRequestBody().readAllBytes(), Instant.now()));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        /** The next request whose body or headers mention {@code text}, waiting up to {@code timeout}. */
        Received await(String text, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                Received r = received.poll(200, TimeUnit.MILLISECONDS);
                if (r != null && (new String(r.body(), StandardCharsets.UTF_8).contains(text)
                        || r.headers().toString().contains(text))) {
                    return r;
                }
            }
            throw new AssertionError("nothing mentioning " + text + " within " + timeout);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        // a killed agent is noticed by its missing heartbeats: 1 s beats, offline after 5 s of silence
        stack = Stack.start("alerts", "rm.jobs.alert-sweep-interval-s=1", "rm.hub.heartbeat-interval-s=1",
                            "rm.hub.offline-after-s=5");
        admin = Api.setupAdmin(stack, "admin", "alerts-admin-password");
        source = Files.createDirectories(stack.dataDir().resolve("source"));
        Files.writeString(source.resolve("ledger.txt"), "entries\n".repeat(100));
        repo = stack.dataDir().resolve("repo");
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));

        webhook = new Receiver(0);
        ntfy = new Receiver(0);
        mail = new GreenMail(new ServerSetup(Stack.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.setUser("alerts@example.com", "alerts", "smtp-password");
        mail.start();
        channel("webhook", Map.of("url", "http://127.0.0.1:" + webhook.port() + "/hook", "secret", SECRET));
        channel("ntfy", Map.of("url", "http://127.0.0.1:" + ntfy.port(), "topic", "backups"));
        channel("email", Map.of("smtp_host", "127.0.0.1", "smtp_port", mail.getSmtp().getPort(), "tls", "none",
                                "username", "alerts", "password", "smtp-password", "from", "alerts@example.com",
                                "to", List.of("oncall@example.com")));
    }

    private static void channel(String kind, Map<String, Object> config) {
        admin.post("/api/alert-channels", Map.of("name", kind, "kind", kind, "config", config)).expect(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {webhook, ntfy}) {
            if (c != null) {
                c.close();
            }
        }
        if (mail != null) {
            mail.stop();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static JsonNode backup() {
        return Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString())));
    }

    @Test
    @Order(1)
    void aRealFailedBackupReachesWebhookNtfyAndMailWithinFiveSecondsAndResolvesByItself() throws Exception {
        assertThat(backup().path("status").asText(), is("succeeded"));
        // the repository becomes unreadable: restic cannot open its config
        Files.move(repo.resolve("config"), repo.resolve("config.moved-away"));
        JsonNode failed = backup();
        assertThat(failed.path("status").asText(), is("failed"));
        Instant ended = Instant.parse(failed.path("finished_at").asText());

        Receiver.Received hook = webhook.await("backup_failed", Duration.ofSeconds(10));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(hook.headers().get("X-rm-signature").getFirst(),
                   is("sha256=" + HexFormat.of().formatHex(mac.doFinal(hook.body()))));
        assertThat(hook.json().path("state").asText(), is("firing"));
        assertThat(hook.json().path("host_id").asText(), is(hostId));
        Receiver.Received push = ntfy.await("backup_failed", Duration.ofSeconds(10));
        assertThat(push.path(), is("/backups"));
        assertThat(mail.waitForIncomingEmail(10_000, 1), is(true));
        MimeMessage message = mail.getReceivedMessages()[0];
        assertThat(message.getSubject(), containsString("backup_failed"));
        Instant mailed = message.getReceivedDate() == null ? Instant.now() : message.getReceivedDate().toInstant();
        for (Instant at : List.of(hook.at(), push.at(), mailed)) {
            long ms = Duration.between(ended, at).toMillis();
            System.out.println("[alerts] failed backup → notification: " + ms + " ms");
            assertThat(ms, lessThanOrEqualTo(5_000L));
        }
        JsonNode alert = admin.get("/api/alerts?host_id=" + hostId + "&state=firing").json().path("items").get(0);
        assertThat(alert.path("rule").asText(), is("backup_failed"));

        // repaired: the next good backup resolves it, and says so
        Files.move(repo.resolve("config.moved-away"), repo.resolve("config"));
        assertThat(backup().path("status").asText(), is("succeeded"));
        assertThat(webhook.await("resolved", Duration.ofSeconds(10)).json().path("alert_id").asText(),
                   is(alert.path("id").asText()));
        assertThat(admin.get("/api/alerts/" + alert.path("id").asText()).json().path("state").asText(),
                   is("resolved"));
    }

    @Test
    @Order(2)
    void aStoppedHostAlertsAfterItsGraceAndAChannelDownForAMinuteStillGetsItOnce() throws Exception {
        admin.put("/api/alerts/rules/host_offline/overrides", Map.of("subject", "host:" + hostId,
                                                                      "threshold_s", 5)).expect(200);
        int port = webhook.port();
        webhook.close(); // the webhook receiver is down
        agent.kill();
        Receiver.Received push = ntfy.await("host_offline", Duration.ofSeconds(60));
        assertThat(push.headers().toString(), containsString("firing"));
        Thread.sleep(60_000); // the scenario itself: the channel stays down for a minute while deliveries retry
        webhook = new Receiver(port); // back after a minute
        Receiver.Received late = webhook.await("host_offline", Duration.ofSeconds(75));
        assertThat(late.json().path("state").asText(), is("firing"));

        agent.start();
        Await.until(Duration.ofSeconds(30), "host online", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        assertThat(webhook.await("resolved", Duration.ofSeconds(15)).json().path("rule").asText(),
                   is("host_offline"));
        // delivered once: the log shows one sent firing delivery of that alert to the webhook
        JsonNode log = admin.get("/api/alerts/deliveries?limit=500").json().path("items");
        String alertId = late.json().path("alert_id").asText();
        String webhookId = admin.get("/api/alert-channels").json().path("items").findValues("id").stream()
                .filter(id -> admin.get("/api/alert-channels/" + id.asText()).json().path("kind").asText()
                        .equals("webhook")).findFirst().orElseThrow().asText();
        long sentFirings = 0;
        for (JsonNode d : log) {
            if (d.path("alert_id").asText().equals(alertId) && d.path("channel_id").asText().equals(webhookId)
                    && d.path("state").asText().equals("firing")) {
                assertThat(d.path("status").asText(), is("sent"));
                sentFirings++;
            }
        }
        assertThat(sentFirings, is(1L));
    }
}
