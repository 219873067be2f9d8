package io.resticmanager.proto;

import java.util.Map;

/**
 * Everything needed to open one repository for one job: its URL, password and backend
 * environment. Travels only in memory and over authenticated channels; {@link #toString()}
 * never shows a secret.
 */
public record RepoAccess(String repoId, String url, String password, Map<String, String> env, Long offlineLeaseS) {
    /** How long an agent may keep this credential to run schedules while the server is unreachable, by default. */
    public static final long DEFAULT_OFFLINE_LEASE_S = 7L * 24 * 3600;

    public RepoAccess {
        Require.text(repoId, "repo_id");
        Require.text(url, "url");
        Require.text(password, "password");
        env = Require.map(env);
    }

    public RepoAccess(String repoId, String url, String password, Map<String, String> env) {
        this(repoId, url, password, env, null);
    }

    /** The lease this repository grants for offline runs (0 = never offline). */
    public long leaseSeconds() {
        return offlineLeaseS == null ? DEFAULT_OFFLINE_LEASE_S : offlineLeaseS;
    }

    @Override
    public String toString() {
        return "RepoAccess[repoId=" + repoId + ", url=" + redactedUrl() + ", password=***, env=" + env.keySet() + "]";
    }

    /** The URL with any embedded {@code user:password@} credential hidden, fit for logs and command lines. */
    public String redactedUrl() {
        return redact(url);
    }

    /** Hides the password part of {@code scheme://user:password@host} anywhere in {@code text}. */
    public static String redact(String text) {
        return text == null ? null : text.replaceAll("(://[^:/@\\s]+):[^@/\\s]+@", "$1:***@");
    }
}
