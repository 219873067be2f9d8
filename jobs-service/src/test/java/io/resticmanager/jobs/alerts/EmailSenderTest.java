package io.resticmanager.jobs.alerts;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.util.Arrays;

import static io.resticmanager.jobs.alerts.Fixtures.config;
import static io.resticmanager.jobs.alerts.Fixtures.firing;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayWithSize;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The e-mail channel against GreenMail: plain SMTP on a free port, with a user to authenticate as. */
class EmailSenderTest {
    private static final String PASSWORD = "mail-s3cret-Pw";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@example.test", "alerts", PASSWORD));

    private final Sender sender = Senders.forKind(ChannelKind.EMAIL);

    @Test
    void deliversSubjectBodyAndRecipients() throws Exception {
        sender.send(email(MAIL.getSmtp().getPort(), PASSWORD), firing("critical"));

        assertThat(MAIL.waitForIncomingEmail(5000, 2), is(true));
        MimeMessage[] received = MAIL.getReceivedMessages();
        assertThat(received, arrayWithSize(2)); // one copy per recipient mailbox
        MimeMessage m = received[0];
        assertThat(m.getSubject(), is("[restic-manager] FIRING backup_failed on web-1"));
        assertThat(m.getFrom()[0].toString(), is("restic-manager@example.test"));
        assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Address::toString).toList(),
                   containsInAnyOrder("ops@example.test", "oncall@example.test"));
        assertThat(m.getHeader("Auto-Submitted")[0], is("auto-generated"));
        String body = (String) m.getContent();
        assertThat(body, containsString("Backup of web-1 to offsite failed: repository locked"));
        assertThat(body, containsString("Alert:       backup_failed (critical)"));
        assertThat(body, containsString("Host:        web-1 (h-1)"));
        assertThat(body, containsString("Schedule:    sch_7"));
        assertThat(body, containsString("Repository:  repo_3"));
        assertThat(body, containsString("Fired at:    2026-11-20T10:00:00Z"));
        assertThat(body, containsString("Alert id:    al_42"));
        assertThat(body, not(containsString("Resolved at")));
    }

    @Test
    void resolvedMailCarriesTheResolvedTime() throws Exception {
        sender.send(email(MAIL.getSmtp().getPort(), PASSWORD), Fixtures.resolved());

        assertThat(MAIL.waitForIncomingEmail(5000, 2), is(true));
        MimeMessage m = MAIL.getReceivedMessages()[0];
        assertThat(m.getSubject(), is("[restic-manager] RESOLVED backup_failed on web-1"));
        assertThat((String) m.getContent(), containsString("Resolved at: 2026-11-20T11:00:00Z"));
    }

    @Test
    void wrongPasswordIsNotRetryable() {
        DeliveryException e = assertThrows(DeliveryException.class,
                                           () -> sender.send(email(MAIL.getSmtp().getPort(), "wrong-pw-123"),
                                                             firing("info")));
        assertThat(e.retryable(), is(false));
        assertThat(e.getMessage(), not(containsString("wrong-pw-123")));
        assertThat(MAIL.getReceivedMessages(), arrayWithSize(0));
    }

    @Test
    void serverDownIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        DeliveryException e = assertThrows(DeliveryException.class,
                                           () -> sender.send(email(closedPort, PASSWORD), firing("info")));
        assertThat(e.retryable(), is(true));
        assertThat(e.getMessage(), not(containsString(PASSWORD)));
    }

    @Test
    void starttlsIsRequiredNotOptional() {
        // This GreenMail speaks plain SMTP only: the sender must stop before AUTH rather than send the password in clear.
        ChannelConfig starttls = email(MAIL.getSmtp().getPort(), PASSWORD, "starttls");
        DeliveryException e = assertThrows(DeliveryException.class, () -> sender.send(starttls, firing("info")));
        assertThat(e.retryable(), is(true));
        assertThat(e.getMessage(), containsString("STARTTLS"));
        assertThat(MAIL.getReceivedMessages(), arrayWithSize(0));
    }

    private static ChannelConfig email(int port, String password) {
        return email(port, password, "none");
    }

    private static ChannelConfig email(int port, String password, String tls) {
        return config(ChannelKind.EMAIL, "{'smtp_host':'127.0.0.1','smtp_port':" + port + ",'tls':'" + tls + "',"
                                         + "'username':'alerts','password':'" + password + "',"
                                         + "'from':'restic-manager@example.test',"
                                         + "'to':['ops@example.test','oncall@example.test']}");
    }
}
