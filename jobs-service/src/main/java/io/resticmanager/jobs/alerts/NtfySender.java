package io.resticmanager.jobs.alerts;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * Publishes through ntfy's HTTP API: {@code POST <url>/<topic>} with the summary as the plain-text message and
 * title, priority and tags as headers.
 */
final class NtfySender implements Sender {
    // ntfy turns longer messages into file attachments, which phones show as a download, not as text.
    private static final int MAX_MESSAGE_BYTES = 4096;

    @Override
    public void send(ChannelConfig config, Notification n) throws DeliveryException {
        Senders.requireKind(config, ChannelKind.NTFY);
        String title = "[" + n.state().toUpperCase(Locale.ROOT) + "] " + n.headline();
        String summary = n.summary() == null || n.summary().isBlank() ? title : n.summary();
        HttpRequest.Builder request = HttpDelivery.request(URI.create(config.text("url") + "/" + config.text("topic")))
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Title", header(title))
                .header("Priority", priority(n))
                .header("Tags", header(n.rule() + "," + n.state()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(truncate(summary)));
        String token = config.text("token");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpDelivery.send("ntfy", request.build());
    }

    /** 5 urgent, 4 high, 3 default; a resolved alert is good news and goes out at 2 (low). */
    static String priority(Notification n) {
        if (n.state().equals("resolved")) {
            return "2";
        }
        return switch (n.severity()) {
            case "critical" -> "5";
            case "warning" -> "4";
            default -> "3";
        };
    }

    /**
     * HTTP header values are Latin-1 at best; host names and rules may not be. ntfy (2.4+) decodes RFC 2047
     * encoded-words, so anything beyond printable ASCII is sent as one. Control characters become spaces.
     */
    static String header(String value) {
        String clean = value.replaceAll("\\p{Cntrl}", " ");
        if (clean.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return clean;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(clean.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    /** At most {@value #MAX_MESSAGE_BYTES} bytes of UTF-8, cut at a character boundary and marked with "…". */
    static byte[] truncate(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return bytes;
        }
        byte[] ellipsis = "…".getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(MAX_MESSAGE_BYTES - ellipsis.length);
        // The encoder stops before a character that no longer fits, never inside one.
        StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text), out, true);
        byte[] cut = Arrays.copyOf(out.array(), out.position() + ellipsis.length);
        System.arraycopy(ellipsis, 0, cut, out.position(), ellipsis.length);
        return cut;
    }
}
