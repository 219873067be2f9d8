package io.resticmanager.agent;

/** A failure the agent explains to its operator in one line (bad config, refused enrollment, no restic …). */
final class AgentException extends RuntimeException {
    private final int exitCode;

    AgentException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    AgentException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** 1 = the action failed (server refused, unreachable), 2 = usage or configuration error. */
    int exitCode() {
        return exitCode;
    }
}
