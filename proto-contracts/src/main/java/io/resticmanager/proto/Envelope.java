package io.resticmanager.proto;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One agent ⇄ hub frame: {@code {"v":1,"type":"job.progress","id":"…","corr":"…","ts":"…","payload":{…}}}.
 * Encode and decode with {@link Frames}.
 */
public record Envelope(int v, MessageType type, String id, String corr, Instant ts, Message payload) {
    public Envelope {
        Require.present(type, "type");
        Require.text(id, "id");
        Require.present(ts, "ts");
        Require.present(payload, "payload");
        if (MessageType.of(payload) != type) {
            throw new IllegalArgumentException("payload " + payload.getClass().getSimpleName()
                    + " does not match type " + type.wire());
        }
    }

    /** A new frame with a fresh id, stamped now. */
    public static Envelope of(Message payload) {
        return new Envelope(Protocol.VERSION, MessageType.of(payload), UUID.randomUUID().toString(), null,
                            Instant.now(), payload);
    }

    /** A reply to {@code request}: same correlation id. */
    public static Envelope replyTo(Envelope request, Message payload) {
        return new Envelope(Protocol.VERSION, MessageType.of(payload), UUID.randomUUID().toString(),
                            request.id(), Instant.now(), payload);
    }

    public Optional<String> correlation() {
        return Optional.ofNullable(corr);
    }

    /** The payload as the given record type. */
    public <T extends Message> T payloadAs(Class<T> type) {
        return type.cast(payload);
    }
}
