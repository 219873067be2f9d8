package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Properties;

/** Sends a plain-text e-mail over SMTP (STARTTLS, implicit TLS or none) with Jakarta Mail. */
final class EmailSender implements Sender {
    static final int TIMEOUT_MILLIS = 10_000;

    @Override
    public void send(ChannelConfig config, Notification n) throws DeliveryException {
        Senders.requireKind(config, ChannelKind.EMAIL);
        String tls = config.text("tls");
        String protocol = tls.equals("tls") ? "smtps" : "smtp";
        Session session = Session.getInstance(properties(config, protocol, tls));
        try {
            MimeMessage message = message(session, config, n);
            try (Transport transport = session.getTransport(protocol)) {
                transport.connect(config.text("smtp_host"), config.settings().get("smtp_port").asInt(),
                                  config.text("username"), config.text("password"));
                transport.sendMessage(message, message.getAllRecipients());
            }
        } catch (AuthenticationFailedException e) {
            throw new DeliveryException("SMTP server refused the username or password", false);
        } catch (AddressException e) {
            throw new DeliveryException("invalid e-mail address: " + e.getMessage(), false);
        } catch (SendFailedException e) {
            // Rejected recipients (5xx) will be rejected again; a temporary refusal (4xx) may pass later.
            boolean rejected = e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0;
            throw new DeliveryException("SMTP server did not accept the message: " + describe(e), !rejected);
        } catch (MessagingException e) {
            throw new DeliveryException("SMTP delivery failed: " + describe(e), true);
        }
    }

    private static Properties properties(ChannelConfig config, String protocol, String tls) {
        String prefix = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put(prefix + "connectiontimeout", String.valueOf(TIMEOUT_MILLIS));
        props.put(prefix + "timeout", String.valueOf(TIMEOUT_MILLIS));
        props.put(prefix + "writetimeout", String.valueOf(TIMEOUT_MILLIS));
        props.put(prefix + "auth", String.valueOf(config.text("username") != null));
        if (tls.equals("starttls")) {
            // required: a server (or a man in the middle) that does not offer STARTTLS must not get plain text.
            props.put(prefix + "starttls.enable", "true");
            props.put(prefix + "starttls.required", "true");
        }
        if (!tls.equals("none")) {
            props.put(prefix + "ssl.checkserveridentity", "true");
        }
        return props;
    }

    private static MimeMessage message(Session session, ChannelConfig config, Notification n)
            throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(config.text("from"), true));
        JsonNode to = config.settings().get("to");
        InternetAddress[] recipients = new InternetAddress[to.size()];
        for (int i = 0; i < to.size(); i++) {
            recipients[i] = new InternetAddress(to.get(i).asText(), true);
        }
        message.setRecipients(Message.RecipientType.TO, recipients);
        message.setSubject(subject(n), "UTF-8");
        message.setText(body(n), "UTF-8");
        message.setSentDate(Date.from(n.sentAt() == null ? Instant.now() : n.sentAt()));
        // RFC 3834: tells vacation responders and ticket systems not to answer a machine.
        message.setHeader("Auto-Submitted", "auto-generated");
        return message;
    }

    static String subject(Notification n) {
        return "[restic-manager] " + n.state().toUpperCase(Locale.ROOT) + " " + n.headline();
    }

    static String body(Notification n) {
        StringBuilder text = new StringBuilder();
        if (n.test()) {
            text.append("This is a test notification: the channel works.\n\n");
        }
        if (n.summary() != null && !n.summary().isBlank()) {
            text.append(n.summary().strip()).append("\n\n");
        }
        line(text, "Alert", n.rule() + " (" + n.severity() + ")");
        line(text, "State", n.state());
        String host = n.hostName() != null && n.hostId() != null && !n.hostName().equals(n.hostId())
                ? n.hostName() + " (" + n.hostId() + ")" : n.host();
        line(text, "Host", host);
        line(text, "Schedule", n.scheduleId());
        line(text, "Repository", n.repoId());
        line(text, "Fired at", n.firedAt());
        line(text, "Resolved at", n.resolvedAt());
        line(text, "Alert id", n.alertId());
        return text.toString();
    }

    private static void line(StringBuilder text, String label, Object value) {
        if (value != null) {
            text.append(String.format("%-12s %s", label + ":", value)).append('\n');
        }
    }

    private static String describe(MessagingException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip();
    }
}
