package io.resticmanager.proto;

/** Codes carried by {@code error} envelopes. Stable API: never rename one. */
public enum ErrorCode {
    BAD_JSON("bad_json"),
    FRAME_TOO_LARGE("frame_too_large"),
    UNKNOWN_TYPE("unknown_type"),
    INVALID_PAYLOAD("invalid_payload"),
    UNSUPPORTED_VERSION("unsupported_version"),
    PROTOCOL_TOO_OLD("protocol_too_old"),
    UNAUTHORIZED("unauthorized"),
    NOT_HELLO("hello_required"),
    UNKNOWN_JOB("unknown_job"),
    /** agent.update: this agent was not installed from the package (nothing to upgrade it with). */
    UPDATE_UNAVAILABLE("update_unavailable"),
    /** agent.update: jobs are running, or an update already is. */
    BUSY("busy"),
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears on the wire. */
    public String wire() {
        return wire;
    }
}
