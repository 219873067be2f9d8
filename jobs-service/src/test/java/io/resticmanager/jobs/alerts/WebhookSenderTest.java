package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

import static io.resticmanager.jobs.alerts.Fixtures.config;
import static io.resticmanager.jobs.alerts.Fixtures.firing;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The webhook channel against a local JDK HTTP server. */
class WebhookSenderTest {
    // Non-ASCII on purpose: the key is the secret's UTF-8 bytes.
    private static final String SECRET = "whsec-ä-0123456789";
    private LocalHttpServer server;
    private final Sender sender = Senders.forKind(ChannelKind.WEBHOOK);

    @BeforeEach
    void start() throws Exception {
        server = new LocalHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsJsonSignedWithHmacOverTheRawBody() throws Exception {
        server.answer(204);
        sender.send(webhook(SECRET), firing("critical"));

        LocalHttpServer.Received r = server.take();
        assertThat(r.method(), is("POST"));
        assertThat(r.path(), is("/hooks/rm"));
        assertThat(r.headers().getFirst("Content-Type"), is("application/json"));
        assertThat(r.headers().getFirst("X-RM-Event"), is("alert.firing"));
        // Recomputed here, independently of the sender, over the bytes exactly as they arrived.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body()));
        assertThat(r.headers().getFirst("X-RM-Signature"), is(expected));

        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("alert_id").asText(), is("al_42"));
        assertThat(body.get("rule").asText(), is("backup_failed"));
        assertThat(body.get("state").asText(), is("firing"));
        assertThat(body.get("host_name").asText(), is("web-1"));
        assertThat(body.get("repo_id").asText(), is("repo_3"));
        assertThat(body.get("fired_at").asText(), is("2026-11-20T10:00:00Z"));
        assertThat(body.has("resolved_at"), is(false));
        assertThat(body.get("test").asBoolean(), is(false));
        assertThat(new String(r.body(), StandardCharsets.UTF_8), is(Json.write(firing("critical"))));
    }

    @Test
    void withoutSecretSendsNoSignature() throws Exception {
        sender.send(webhook(null), Fixtures.resolved());

        LocalHttpServer.Received r = server.take();
        assertThat(r.headers().getFirst("X-RM-Signature"), nullValue());
        assertThat(r.headers().getFirst("X-RM-Event"), is("alert.resolved"));
    }

    @ParameterizedTest
    @CsvSource({"500, true", "503, true", "408, true", "429, true", "404, false", "400, false", "401, false"})
    void classifiesErrorStatuses(int status, boolean retryable) {
        server.answer(status);
        DeliveryException e = assertThrows(DeliveryException.class, () -> sender.send(webhook(SECRET), firing("info")));
        assertThat(e.retryable(), is(retryable));
        assertThat(e.getMessage(), containsString(String.valueOf(status)));
        assertThat(e.getMessage(), not(containsString(SECRET)));
    }

    @Test
    void neverFollowsRedirects() throws Exception {
        server.answer(302);
        DeliveryException e = assertThrows(DeliveryException.class, () -> sender.send(webhook(SECRET), firing("info")));
        assertThat(e.retryable(), is(false));
        assertThat(server.take().path(), is("/hooks/rm"));
        // nothing more within 200 ms: a followed redirect would arrive in that time
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat("the redirect target was not requested", server.pending(), is(0)));
    }

    @Test
    void unreachableServerIsRetryable() {
        ChannelConfig config = webhook(SECRET);
        server.close();
        DeliveryException e = assertThrows(DeliveryException.class, () -> sender.send(config, firing("info")));
        assertThat(e.retryable(), is(true));
    }

    @Test
    void refusesAnotherKindsSettings() {
        ChannelConfig ntfy = config(ChannelKind.NTFY, "{'url':'" + server.url() + "','topic':'t'}");
        assertThrows(IllegalArgumentException.class, () -> sender.send(ntfy, firing("info")));
    }

    private ChannelConfig webhook(String secret) {
        String url = server.url() + "/hooks/rm";
        return config(ChannelKind.WEBHOOK, secret == null ? "{'url':'" + url + "'}"
                : "{'url':'" + url + "','secret':'" + secret + "'}");
    }
}
