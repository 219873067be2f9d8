package io.resticmanager.jobs.alerts;

import io.resticmanager.proto.Json;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * POSTs the notification as JSON. With a secret, {@code X-RM-Signature: sha256=<hex>} is the HMAC-SHA256 of the
 * exact body bytes, so a receiver can check the sender before parsing anything.
 */
final class WebhookSender implements Sender {
    @Override
    public void send(ChannelConfig config, Notification n) throws DeliveryException {
        Senders.requireKind(config, ChannelKind.WEBHOOK);
        byte[] body = Json.write(n).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpDelivery.request(URI.create(config.text("url")))
                .header("Content-Type", "application/json")
                .header("X-RM-Event", "alert." + n.state())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String secret = config.text("secret");
        if (secret != null) {
            request.header("X-RM-Signature", "sha256=" + hmacSha256(secret, body));
        }
        HttpDelivery.send("webhook", request.build());
    }

    static String hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            // Every JDK ships HmacSHA256; reaching this is a broken runtime, and the key must not be in the message.
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
