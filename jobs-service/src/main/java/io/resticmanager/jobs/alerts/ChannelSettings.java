package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validation of each kind's settings. Returns a normalized copy: fields in a fixed order, absent and blank optional
 * fields dropped, non-secret strings stripped. Messages name the field and never quote a value (it may be a secret).
 */
final class ChannelSettings {
    static final int MAX_STRING = 2048;
    static final int MAX_RECIPIENTS = 20;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9:\\[][A-Za-z0-9._:\\]-]{0,252}");
    // Deliberately narrower than RFC 5322: no quoted local parts, comments or display names.
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final List<String> TLS_MODES = List.of("starttls", "tls", "none");

    private ChannelSettings() {
    }

    /** The fields the kind accepts, in the order they are stored. */
    static List<String> fields(ChannelKind kind) {
        return switch (kind) {
            case WEBHOOK -> List.of("url", "secret");
            case NTFY -> List.of("url", "topic", "token");
            case EMAIL -> List.of("smtp_host", "smtp_port", "tls", "username", "password", "from", "to");
        };
    }

    /** The fields the API never shows again. */
    static List<String> secrets(ChannelKind kind) {
        return switch (kind) {
            case WEBHOOK -> List.of("secret");
            case NTFY -> List.of("token");
            case EMAIL -> List.of("password");
        };
    }

    static ObjectNode validate(ChannelKind kind, JsonNode settings) {
        if (settings == null || !settings.isObject()) {
            throw new IllegalArgumentException(kind.wire() + " channel settings must be a JSON object");
        }
        List<String> allowed = fields(kind);
        for (Iterator<String> it = settings.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + clip(field) + "' for a " + kind.wire()
                                                   + " channel (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        switch (kind) {
            case WEBHOOK -> {
                out.put("url", httpUrl("url", required(settings, "url"), false));
                putIfSet(out, "secret", secret(settings, "secret"));
            }
            case NTFY -> {
                out.put("url", httpUrl("url", required(settings, "url"), true));
                String topic = required(settings, "topic");
                if (!TOPIC.matcher(topic).matches()) {
                    throw new IllegalArgumentException("topic must be 1 to 64 letters, digits, '_' or '-'");
                }
                out.put("topic", topic);
                putIfSet(out, "token", secret(settings, "token"));
            }
            case EMAIL -> email(settings, out);
        }
        return out;
    }

    private static void email(JsonNode settings, ObjectNode out) {
        String host = required(settings, "smtp_host");
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("smtp_host must be a host name or IP address");
        }
        out.put("smtp_host", host);
        JsonNode port = settings.get("smtp_port");
        if (port == null || port.isNull()) {
            throw new IllegalArgumentException("smtp_port is required");
        }
        if (!port.canConvertToExactIntegral() || !port.canConvertToInt()
            || port.asInt() < 1 || port.asInt() > 65535) {
            throw new IllegalArgumentException("smtp_port must be a number from 1 to 65535");
        }
        out.put("smtp_port", port.asInt());
        String tls = required(settings, "tls");
        if (!TLS_MODES.contains(tls)) {
            throw new IllegalArgumentException("tls must be one of starttls, tls, none");
        }
        out.put("tls", tls);
        String username = optional(settings, "username");
        String password = secret(settings, "password");
        if (username == null && password != null) {
            throw new IllegalArgumentException("password is set but username is not");
        }
        if (username != null && password == null) {
            throw new IllegalArgumentException("password is required when username is set");
        }
        putIfSet(out, "username", username);
        putIfSet(out, "password", password);
        out.put("from", address("from", required(settings, "from")));
        JsonNode to = settings.get("to");
        if (to == null || to.isNull() || (to.isArray() && to.isEmpty())) {
            throw new IllegalArgumentException("to is required (a list of e-mail addresses)");
        }
        if (!to.isArray()) {
            throw new IllegalArgumentException("to must be a list of e-mail addresses");
        }
        if (to.size() > MAX_RECIPIENTS) {
            throw new IllegalArgumentException("to has " + to.size() + " addresses; at most " + MAX_RECIPIENTS
                                               + " are allowed");
        }
        ArrayNode recipients = out.putArray("to");
        for (int i = 0; i < to.size(); i++) {
            String field = "to[" + i + "]";
            JsonNode item = to.get(i);
            if (!item.isTextual()) {
                throw new IllegalArgumentException(field + " must be a string");
            }
            recipients.add(address(field, checked(field, item.asText()).strip()));
        }
    }

    /**
     * An absolute http(s) URL. Credentials in the URL are refused: they would be shown by the API and logged,
     * unlike the kind's secret field. A server base URL ({@code base}) takes no query, and loses trailing slashes.
     */
    private static String httpUrl(String field, String value, boolean base) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(field + " is not a valid URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException(field + " must be an http:// or https:// URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(field + " must not contain user:password");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(field + " must name a host (and optionally a port from 1 to 65535)");
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw new IllegalArgumentException(field + " port must be from 1 to 65535");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException(field + " must not contain a #fragment");
        }
        if (!base) {
            return value;
        }
        if (uri.getRawQuery() != null) {
            throw new IllegalArgumentException(field + " must be the server's base URL, without a ?query");
        }
        return value.replaceAll("/+$", "");
    }

    private static String address(String field, String value) {
        if (value.length() > 254 || !EMAIL.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not a valid e-mail address (like name@example.com)");
        }
        return value;
    }

    private static String required(JsonNode settings, String field) {
        String value = optional(settings, field);
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    /** A stripped string, or null when absent, null or blank. */
    private static String optional(JsonNode settings, String field) {
        String value = raw(settings, field);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Secrets are kept byte for byte (a stripped HMAC key would sign differently); blank means none. */
    private static String secret(JsonNode settings, String field) {
        String value = raw(settings, field);
        return value == null || value.isBlank() ? null : value;
    }

    private static String raw(JsonNode settings, String field) {
        JsonNode node = settings.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return checked(field, node.asText());
    }

    /** Bounds size, and refuses control characters: values end up in HTTP and SMTP headers. */
    private static String checked(String field, String value) {
        if (value.length() > MAX_STRING) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_STRING + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must not contain control characters");
        }
        return value;
    }

    private static void putIfSet(ObjectNode out, String field, String value) {
        if (value != null) {
            out.put(field, value);
        }
    }

    /** Unknown field names are echoed to help the user, but bounded. */
    private static String clip(String field) {
        String printable = field.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
    }
}
