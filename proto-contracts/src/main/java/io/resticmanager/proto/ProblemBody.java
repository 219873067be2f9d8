package io.resticmanager.proto;

/** RFC 9457 problem details: the one error shape of every HTTP API. */
public record ProblemBody(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static ProblemBody of(int status, String title, String detail) {
        return new ProblemBody("https://restic-manager.dev/problems/" + status, title, status, detail);
    }
}
