package io.resticmanager.gateway;

import java.util.Optional;

/**
 * Per-request notes for the audit row the guard writes when the request ends: handlers and the proxy fill
 * in the semantic action/target (from the service's X-RM-Audit-* headers) and, for logins, the username.
 * Every field is cut to a bounded length: an anonymous request must not be able to grow the audit table.
 */
final class AuditNote {
    static final int MAX_USER = 100;
    static final int MAX_ACTION = 100;
    static final int MAX_TARGET = 1000;

    private volatile String user;
    private volatile String action;
    private volatile String target;
    private volatile Long streamedBytes;
    private volatile boolean streamComplete;

    void user(String user) {
        this.user = bounded(user, MAX_USER);
    }

    void action(String action, String target) {
        this.action = bounded(action, MAX_ACTION);
        this.target = bounded(target, MAX_TARGET);
    }

    void action(String action) {
        this.action = bounded(action, MAX_ACTION);
    }

    static String bounded(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** A streamed body (a download) went out: how many bytes, and whether it ended complete. */
    void streamed(long bytes, boolean complete) {
        this.streamedBytes = bytes;
        this.streamComplete = complete;
    }

    Optional<Long> streamedBytes() {
        return Optional.ofNullable(streamedBytes);
    }

    boolean streamComplete() {
        return streamComplete;
    }

    Optional<String> user() {
        return Optional.ofNullable(user);
    }

    Optional<String> action() {
        return Optional.ofNullable(action);
    }

    Optional<String> target() {
        return Optional.ofNullable(target);
    }
}
