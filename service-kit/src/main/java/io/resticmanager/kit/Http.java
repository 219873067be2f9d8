package io.resticmanager.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.ProblemBody;

import java.util.Optional;

/** JSON in and out of handlers with the shared mapper, and RFC 9457 problems for bad bodies. */
public final class Http {
    public static final HeaderName INTERNAL_TOKEN = HeaderNames.create("X-RM-Internal-Token");
    public static final HeaderName PRINCIPAL = HeaderNames.create("X-RM-Principal");
    /** A service names the semantic action of a state-changing request; the gateway audits and strips it. */
    public static final HeaderName AUDIT_ACTION = HeaderNames.create("X-RM-Audit-Action");
    public static final HeaderName AUDIT_TARGET = HeaderNames.create("X-RM-Audit-Target");
    /** The source address of the original caller, set by the gateway. */
    public static final HeaderName FORWARDED_FOR = HeaderNames.create("X-RM-Forwarded-For");
    /** The browser's scheme ({@code https} or {@code http}) as the gateway saw it; trusted only with the internal token. */
    public static final HeaderName FORWARDED_PROTO = HeaderNames.create("X-RM-Forwarded-Proto");
    public static final long MAX_BODY_BYTES = 1024 * 1024;

    private Http() {
    }

    /** Reads the request body as {@code type}; any parse or validation failure is a 400/422 problem. */
    public static <T> T body(ServerRequest req, Class<T> type) {
        String text = req.content().hasEntity() ? req.content().as(String.class) : "";
        if (text.isBlank()) {
            throw Problem.badRequest("request body is required (JSON)");
        }
        if (text.length() > MAX_BODY_BYTES) {
            throw new Problem(413, "Content Too Large", "request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        return parse(text, type);
    }

    /** Reads the body as a JSON tree, or an empty object when there is no body. */
    public static JsonNode bodyTree(ServerRequest req) {
        String text = req.content().hasEntity() ? req.content().as(String.class) : "";
        if (text.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        return parse(text, JsonNode.class);
    }

    public static <T> T parse(String text, Class<T> type) {
        try {
            T value = Json.MAPPER.readValue(text, type);
            if (value == null) {
                throw Problem.badRequest("request body must be a JSON object");
            }
            return value;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw Problem.unprocessable(cause.getMessage());
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "" : " (field " + e.getPath().getLast().getFieldName() + ")";
            throw Problem.badRequest("wrong JSON type" + field);
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("request body is not valid JSON");
        }
    }

    public static void json(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body)); // UTF-8 straight from the generator: a large listing is not copied through a String
    }

    public static void json(ServerResponse res, Object body) {
        json(res, 200, body);
    }

    public static void problem(ServerResponse res, ProblemBody problem) {
        res.status(Status.create(problem.status()));
        res.header(HeaderNames.CONTENT_TYPE, ProblemBody.MEDIA_TYPE);
        res.send(Json.write(problem));
    }

    /** Names what a state-changing request did, for the gateway's audit log. */
    public static void audit(ServerResponse res, String action, String target) {
        res.header(AUDIT_ACTION, headerSafe(action));
        res.header(AUDIT_TARGET, headerSafe(target));
    }

    /**
     * A header value from text a client chose (a hostname, a repository name): control characters would make
     * Helidon refuse the whole response with a 500, so they are written as a backslash, "u" and four hex digits.
     */
    static String headerSafe(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.strip().toCharArray()) {
            if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    public static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(s -> !s.isBlank());
    }

    public static int intQuery(ServerRequest req, String name, int dflt, int min, int max) {
        Optional<String> raw = query(req, name);
        if (raw.isEmpty()) {
            return dflt;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw Problem.badRequest(name + " must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw Problem.badRequest(name + " must be a number");
        }
    }
}
