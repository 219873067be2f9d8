package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Input rules for hosts and repositories; each failure is a 422 that names the field, never a secret value. */
final class Validate {
    private static final Pattern TAG = Pattern.compile("[a-z0-9._-]{1,40}");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Z_][A-Z0-9_]*");
    private static final int MAX_TAGS = 50;
    private static final int MAX_ENV = 50;
    static final int MIN_PASSWORD = 8;

    private Validate() {
    }

    /** A display name: 1..100 characters after trimming, no control characters. */
    static String name(String value, String field) {
        if (value == null || value.isBlank()) {
            throw Problem.unprocessable(field + " is required (1 to 100 characters)");
        }
        String trimmed = value.strip();
        if (trimmed.length() > 100) {
            throw Problem.unprocessable(field + " must be at most 100 characters");
        }
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            throw Problem.unprocessable(field + " must not contain control characters");
        }
        return trimmed;
    }

    /** Tags: each [a-z0-9._-]{1,40}; duplicates collapse; returned sorted. */
    static List<String> tags(List<String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw Problem.unprocessable("at most " + MAX_TAGS + " tags per host");
        }
        TreeSet<String> out = new TreeSet<>();
        for (String tag : tags) {
            if (tag == null || !TAG.matcher(tag).matches()) {
                throw Problem.unprocessable("invalid tag \"" + (tag == null ? "null" : abbreviate(tag))
                                                    + "\": tags are 1 to 40 of a-z 0-9 . _ -");
            }
            out.add(tag);
        }
        return new ArrayList<>(out);
    }

    /**
     * A repository password (or prune password): 8 to 1024 characters. Eight is the least that can still be told
     * apart from ordinary output when the agent masks it in logs (and the least a guess should have to beat).
     */
    static String password(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw Problem.unprocessable(field + " is required");
        }
        if (value.length() < MIN_PASSWORD) {
            throw Problem.unprocessable(field + " must be at least " + MIN_PASSWORD + " characters");
        }
        if (value.length() > 1024) {
            throw Problem.unprocessable(field + " must be at most 1024 characters");
        }
        return value;
    }

    /**
     * Backend environment: keys {@code [A-Z_][A-Z0-9_]*}; never {@code RESTIC_PASSWORD*} (the password
     * has its own sealed field) nor {@code RESTIC_REPOSITORY*} (the URL is the repository).
     */
    static Map<String, String> env(Map<String, String> env, String field) {
        if (env == null) {
            return Map.of();
        }
        if (env.size() > MAX_ENV) {
            throw Problem.unprocessable(field + " has more than " + MAX_ENV + " variables");
        }
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((key, value) -> {
            if (key == null || !ENV_KEY.matcher(key).matches() || key.length() > 100) {
                throw Problem.unprocessable(field + ": invalid variable name \"" + abbreviate(String.valueOf(key))
                                                    + "\" (must match [A-Z_][A-Z0-9_]*)");
            }
            if (key.startsWith("RESTIC_PASSWORD")) {
                throw Problem.unprocessable(field + ": " + key + " is not allowed; use the password field");
            }
            if (key.startsWith("RESTIC_REPOSITORY")) {
                throw Problem.unprocessable(field + ": " + key + " is not allowed; use the url field");
            }
            if (value == null) {
                throw Problem.unprocessable(field + ": " + key + " needs a string value");
            }
            if (value.length() > 8192 || value.indexOf('\0') >= 0) {
                throw Problem.unprocessable(field + ": the value of " + key + " is too long or contains NUL");
            }
            out.put(key, value);
        });
        return out;
    }

    private static String abbreviate(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
    }
}
