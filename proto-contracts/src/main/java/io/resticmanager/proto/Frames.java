package io.resticmanager.proto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Strict codec for agent ⇄ hub frames. Decoding never throws anything but {@link FrameException}:
 * a frame that is too large, not JSON, of an unknown type, of an unsupported version, or whose
 * payload misses a required field or has a wrong type each gets its own {@link ErrorCode}.
 */
public final class Frames {
    private Frames() {
    }

    public static String encode(Envelope envelope) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("v", envelope.v());
        node.put("type", envelope.type().wire());
        node.put("id", envelope.id());
        if (envelope.corr() != null) {
            node.put("corr", envelope.corr());
        }
        node.put("ts", envelope.ts().toString());
        node.set("payload", Json.MAPPER.valueToTree(envelope.payload()));
        // not node.toString(): that writes through Jackson's internal mapper and its per-thread buffers
        return Json.write(node);
    }

    public static Envelope decode(String text) throws FrameException {
        return decode(text, Protocol.MAX_FRAME_BYTES);
    }

    public static Envelope decode(String text, int maxBytes) throws FrameException {
        if (text == null) {
            throw new FrameException(ErrorCode.BAD_JSON, "empty frame");
        }
        // chars ≤ bytes ≤ 3×chars for UTF-16 text: only count bytes when it could matter
        if (text.length() > maxBytes || text.length() * 3L > maxBytes
                && text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new FrameException(ErrorCode.FRAME_TOO_LARGE, "frame exceeds " + maxBytes + " bytes");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_JSON, "frame is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new FrameException(ErrorCode.BAD_JSON, "frame must be a JSON object");
        }
        JsonNode v = root.get("v");
        if (v == null || !v.isInt()) {
            throw new FrameException(ErrorCode.INVALID_PAYLOAD, "missing or non-integer field: v");
        }
        if (v.intValue() != Protocol.VERSION) {
            throw new FrameException(ErrorCode.UNSUPPORTED_VERSION, "envelope version " + v.intValue()
                    + " is not supported (this side speaks " + Protocol.VERSION + ")");
        }
        String typeName = text(root, "type");
        MessageType type = MessageType.fromWire(typeName)
                .orElseThrow(() -> new FrameException(ErrorCode.UNKNOWN_TYPE, "unknown message type: " + typeName));
        String id = text(root, "id");
        Instant ts;
        try {
            ts = Instant.parse(text(root, "ts"));
        } catch (DateTimeParseException e) {
            throw new FrameException(ErrorCode.INVALID_PAYLOAD, "ts is not an RFC 3339 time");
        }
        JsonNode corrNode = root.get("corr");
        String corr = corrNode == null || corrNode.isNull() ? null : corrNode.asText();
        JsonNode payloadNode = root.get("payload");
        if (payloadNode == null || !payloadNode.isObject()) {
            throw new FrameException(ErrorCode.INVALID_PAYLOAD, "missing or non-object field: payload");
        }
        Message payload;
        try {
            payload = Json.MAPPER.treeToValue(payloadNode, type.payloadType());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new FrameException(ErrorCode.INVALID_PAYLOAD, type.wire() + ": " + rootCause(e));
        }
        return new Envelope(v.intValue(), type, id, corr, ts, payload);
    }

    private static String text(JsonNode root, String field) throws FrameException {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new FrameException(ErrorCode.INVALID_PAYLOAD, "missing or non-string field: " + field);
        }
        return node.asText();
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        // Jackson messages carry source locations; the first line is what a peer needs
        int nl = msg.indexOf('\n');
        return nl > 0 ? msg.substring(0, nl) : msg;
    }
}
