package io.resticmanager.ui;

import io.helidon.webserver.http.ServerRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An {@code application/x-www-form-urlencoded} body, read leniently: missing fields are empty. */
final class Form {
    private static final int MAX_CHARS = 256 * 1024;
    private final Map<String, List<String>> fields;

    private Form(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /** A field the user filled in wrongly; the page re-renders with this message next to it. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static Form read(ServerRequest req) {
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        if (body.length() > MAX_CHARS) {
            throw new Invalid("The form is too large.");
        }
        return parse(body);
    }

    static Form parse(String body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return new Form(fields);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Invalid("The form could not be read.");
        }
    }

    /** Whether the form has the field at all (an emptied one too): a form without it leaves the value unchanged. */
    boolean has(String name) {
        return fields.containsKey(name);
    }

    /** The field trimmed, or "" when absent. */
    String get(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? "" : values.getFirst().trim();
    }

    /** The field exactly as typed (passwords: spaces are significant). */
    String raw(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? "" : values.getFirst();
    }

    /** Every value of a repeated field (checkboxes of one name), trimmed, blanks dropped. */
    List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (String v : fields.getOrDefault(name, List.of())) {
            if (!v.isBlank()) {
                out.add(v.trim());
            }
        }
        return out;
    }

    boolean checked(String name) {
        String v = get(name);
        return !v.isEmpty() && !v.equals("false") && !v.equals("off");
    }

    /** Non-blank lines of a textarea, trimmed. */
    List<String> lines(String name) {
        List<String> out = new ArrayList<>();
        for (String line : raw(name).split("\\R")) {
            if (!line.isBlank()) {
                out.add(line.trim());
            }
        }
        return out;
    }

    /** Comma- or whitespace-separated words (tags). */
    List<String> words(String name) {
        List<String> out = new ArrayList<>();
        for (String word : get(name).split("[,\\s]+")) {
            if (!word.isBlank()) {
                out.add(word);
            }
        }
        return out;
    }

    /** A positive whole number, or null when left empty. */
    Integer positive(String name, String label) {
        String v = get(name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new Invalid(label + " must be 1 or more.");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Invalid(label + " must be a whole number.");
        }
    }

    /** A whole number from {@code min} to {@code max}, or null when left empty. */
    Integer between(String name, String label, int min, int max) {
        String v = get(name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new Invalid(label + " must be from " + min + " to " + max + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Invalid(label + " must be a whole number.");
        }
    }

    /** KEY=VALUE lines (backend environment). */
    Map<String, String> env(String name, String label) {
        Map<String, String> out = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : raw(name).split("\\R")) {
            lineNo++;
            if (line.isBlank() || line.trim().startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).trim();
            if (eq < 0 || !key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                // Never quote the line: it may hold a secret value.
                throw new Invalid(label + ": line " + lineNo + " is not KEY=VALUE (a variable name, '=', the value).");
            }
            out.put(key, line.substring(eq + 1).trim());
        }
        return out;
    }

    /** A form's action: reads the form, calls the API, answers (a redirect or a page). */
    interface Action {
        void run();
    }

    /** Shows a problem next to what caused it, with the page's status. */
    interface Failure {
        void show(int status, Views.ProblemView problem);
    }

    /**
     * Runs a form's action; a mistake in the form (422) or the API's refusal (its status) goes to {@code failed}.
     * A lost session or a service that did not answer goes on up: the error pages handle those.
     */
    static void act(Action action, Failure failed) {
        try {
            action.run();
        } catch (Invalid e) {
            failed.show(422, Views.ProblemView.invalid(e.getMessage()));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            failed.show(e.status(), Views.ProblemView.of(e));
        }
    }
}
