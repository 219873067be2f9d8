package io.resticmanager.ui;

/**
 * The gateway API refused a call (an RFC 9457 problem), or did not answer at all ({@link #unavailable()}).
 * Its detail is what the user reads next to the form or in the banner, so it never carries secrets.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String title;
    private final boolean unreachable;

    ApiException(int status, String title, String detail, boolean unreachable) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.unreachable = unreachable;
    }

    static ApiException unreachable() {
        return new ApiException(503, "Service unavailable",
                                "The restic-manager API did not answer. It may be restarting; try again in a moment.",
                                true);
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }

    String detail() {
        return getMessage();
    }

    /** The API itself or a service behind it is down: shown as a banner, not as a form error. */
    boolean unavailable() {
        return unreachable || status == 502 || status == 503 || status == 504;
    }

    /** The session is gone (expired, revoked, logged out elsewhere). */
    boolean unauthenticated() {
        return status == 401;
    }
}
