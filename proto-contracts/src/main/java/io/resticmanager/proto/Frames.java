package io.resticmanager.proto;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;

/**
 * Strict codec for agent ⇄ hub frames. Decoding never throws anything but {@link FrameException}:
 * a frame that is too large, not JSON, of an unknown type, of an unsupported version, or whose
 * payload misses a required field or has a wrong type each gets its own {@link ErrorCode}.
 */
public final class Frames {
    private Frames() {
    }

    public static String encode(Envelope envelope) {
        // written in one pass: a tree of the payload first would build and walk every log line twice
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", envelope.v());
            g.writeStringField("type", envelope.type().wire());
            g.writeStringField("id", envelope.id());
            if (envelope.corr() != null) {
                g.writeStringField("corr", envelope.corr());
            }
            g.writeStringField("ts", envelope.ts().toString());
            g.writeFieldName("payload");
            Json.MAPPER.writeValue(g, envelope.payload());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + envelope.type().wire(), e);
        }
        return out.toString();
    }

    public static Envelope decode(String text) throws FrameException {
        return decode(text, Protocol.MAX_FRAME_BYTES);
    }

    public static Envelope decode(String text, int maxBytes) throws FrameException {
        checkSize(text, maxBytes);
        Decoded common = decodeCommon(text);
        return common != null ? common.envelope() : decodeStrictly(text);
    }

    /**
     * A decoded frame and its payload's JSON text as it arrived, for a receiver that passes the payload on (the hub
     * stores it for the services, which bind it to the same type again) instead of encoding it anew.
     */
    public record Decoded(Envelope envelope, String payloadText) {
    }

    /** As {@link #decode(String)}, keeping the payload's text; a frame decoded strictly gets it re-encoded. */
    public static Decoded decodeKeepingPayload(String text) throws FrameException {
        checkSize(text, Protocol.MAX_FRAME_BYTES);
        Decoded common = decodeCommon(text);
        if (common != null) {
            return common;
        }
        Envelope envelope = decodeStrictly(text);
        return new Decoded(envelope, Json.write(envelope.payload()));
    }

    private static void checkSize(String text, int maxBytes) throws FrameException {
        if (text == null) {
            throw new FrameException(ErrorCode.BAD_JSON, "empty frame");
        }
        // chars ≤ bytes ≤ 3×chars for UTF-16 text: only count bytes when it could matter
        if (text.length() > maxBytes || text.length() * 3L > maxBytes
                && text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new FrameException(ErrorCode.FRAME_TOO_LARGE, "frame exceeds " + maxBytes + " bytes");
        }
    }

    /**
     * The frame every peer sends, read in one pass (no JSON tree): the fields in the order {@link #encode} writes
     * them, each once, all valid. Anything else (null) goes to {@link #decodeStrictly}, which says what is wrong.
     */
    private static Decoded decodeCommon(String text) {
        int v = -1;
        MessageType type = null;
        String id = null;
        String corr = null;
        Instant ts = null;
        Message payload = null;
        String payloadText = null;
        Set<String> seen = new HashSet<>(8);
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!seen.add(field)) {
                    return null;
                }
                switch (field) {
                    case "v" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                            return null;
                        }
                        v = p.getIntValue();
                    }
                    case "type" -> type = t == JsonToken.VALUE_STRING ? MessageType.fromWire(p.getText()).orElse(null) : null;
                    case "id" -> id = t == JsonToken.VALUE_STRING && !p.getText().isBlank() ? p.getText() : null;
                    case "corr" -> {
                        if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
                            return null;
                        }
                        corr = t == JsonToken.VALUE_NULL ? null : p.getText();
                    }
                    case "ts" -> ts = t == JsonToken.VALUE_STRING ? Instant.parse(p.getText()) : null;
                    case "payload" -> {
                        if (t != JsonToken.START_OBJECT || type == null || v != Protocol.VERSION) {
                            return null;
                        }
                        long start = p.currentTokenLocation().getCharOffset();
                        payload = Json.MAPPER.readValue(p, type.payloadType());
                        long end = p.currentTokenLocation().getCharOffset() + 1; // past the closing brace
                        payloadText = p.currentToken() == JsonToken.END_OBJECT && start >= 0 && end <= text.length()
                                ? text.substring((int) start, (int) end) : Json.write(payload);
                    }
                    default -> p.skipChildren();
                }
            }
            if (v != Protocol.VERSION || type == null || id == null || ts == null || payload == null) {
                return null;
            }
            return new Decoded(new Envelope(v, type, id, corr, ts, payload), payloadText);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Decodes through a JSON tree, checking each part in turn: slower, and names the first thing wrong. */
    private static Envelope decodeStrictly(String text) throws FrameException {
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
