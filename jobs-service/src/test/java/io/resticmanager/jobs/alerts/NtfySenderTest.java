package io.resticmanager.jobs.alerts;

import jakarta.mail.internet.MimeUtility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.resticmanager.jobs.alerts.Fixtures.FIRED;
import static io.resticmanager.jobs.alerts.Fixtures.SENT;
import static io.resticmanager.jobs.alerts.Fixtures.config;
import static io.resticmanager.jobs.alerts.Fixtures.firing;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The ntfy channel. No ntfy server package exists in this environment, so its HTTP publish API
 * ({@code POST /<topic>} with Title/Priority/Tags headers and the message as body) is received by a local JDK
 * HTTP server, which checks what a real ntfy server would read.
 */
class NtfySenderTest {
    private static final String TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2";
    private LocalHttpServer server;
    private final Sender sender = Senders.forKind(ChannelKind.NTFY);

    @BeforeEach
    void start() throws Exception {
        server = new LocalHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void publishesSummaryWithTitlePriorityTagsAndToken() throws Exception {
        sender.send(ntfy(server.url(), TOKEN), firing("critical"));

        LocalHttpServer.Received r = server.take();
        assertThat(r.method(), is("POST"));
        assertThat(r.path(), is("/backups_prod-1"));
        assertThat(r.headers().getFirst("Title"), is("[FIRING] backup_failed on web-1"));
        assertThat(r.headers().getFirst("Priority"), is("5"));
        assertThat(r.headers().getFirst("Tags"), is("backup_failed,firing"));
        assertThat(r.headers().getFirst("Authorization"), is("Bearer " + TOKEN));
        assertThat(new String(r.body(), StandardCharsets.UTF_8),
                   is("Backup of web-1 to offsite failed: repository locked"));
    }

    @Test
    void priorityFollowsSeverityAndResolvedIsLow() throws Exception {
        sender.send(ntfy(server.url(), null), firing("warning"));
        assertThat(server.take().headers().getFirst("Priority"), is("4"));
        sender.send(ntfy(server.url(), null), firing("info"));
        assertThat(server.take().headers().getFirst("Priority"), is("3"));
        sender.send(ntfy(server.url(), null), Fixtures.resolved());
        LocalHttpServer.Received resolved = server.take();
        assertThat(resolved.headers().getFirst("Priority"), is("2"));
        assertThat(resolved.headers().getFirst("Title"), is("[RESOLVED] backup_failed on web-1"));
        assertThat(resolved.headers().getFirst("Tags"), is("backup_failed,resolved"));
        assertThat(resolved.headers().getFirst("Authorization"), nullValue());
    }

    @Test
    void appendsTopicToABaseUrlWithAPathPrefix() throws Exception {
        sender.send(ntfy(server.url() + "/ntfy/", null), firing("info"));
        assertThat(server.take().path(), is("/ntfy/backups_prod-1"));
    }

    @Test
    void encodesNonAsciiTitlesAsRfc2047AndFallsBackToHostId() throws Exception {
        Notification n = new Notification("al_1", "host_offline", "warning", "firing", "h-9", "büro-nas", null, null,
                                          "büro-nas is offline", FIRED, null, SENT, false);
        sender.send(ntfy(server.url(), null), n);
        String title = server.take().headers().getFirst("Title");
        assertThat(title, startsWith("=?UTF-8?B?"));
        assertThat(MimeUtility.decodeText(title), is("[FIRING] host_offline on büro-nas"));

        Notification noName = new Notification("al_2", "host_offline", "warning", "acknowledged", "h-9", null, null,
                                               null, "offline", FIRED, null, SENT, false);
        sender.send(ntfy(server.url(), null), noName);
        assertThat(server.take().headers().getFirst("Title"), is("[ACKNOWLEDGED] host_offline on h-9"));
    }

    @Test
    void keepsLongSummariesUnderNtfysAttachmentLimit() throws Exception {
        Notification n = new Notification("al_3", "check_failed", "warning", "firing", "h-1", "web-1", null, null,
                                          "é".repeat(5000), FIRED, null, SENT, false);
        sender.send(ntfy(server.url(), null), n);
        byte[] body = server.take().body();
        assertThat(body.length, lessThanOrEqualTo(4096));
        assertThat(new String(body, StandardCharsets.UTF_8), endsWith("é…"));
    }

    @Test
    void refusedTokenIsNotRetryableAndServerErrorIs() {
        server.answer(401);
        DeliveryException denied = assertThrows(DeliveryException.class,
                                                () -> sender.send(ntfy(server.url(), TOKEN), firing("info")));
        assertThat(denied.retryable(), is(false));
        assertThat(denied.getMessage(), not(containsString(TOKEN)));

        server.answer(502);
        DeliveryException down = assertThrows(DeliveryException.class,
                                              () -> sender.send(ntfy(server.url(), TOKEN), firing("info")));
        assertThat(down.retryable(), is(true));
    }

    private static ChannelConfig ntfy(String url, String token) {
        return config(ChannelKind.NTFY, "{'url':'" + url + "','topic':'backups_prod-1'"
                                        + (token == null ? "" : ",'token':'" + token + "'") + "}");
    }
}
