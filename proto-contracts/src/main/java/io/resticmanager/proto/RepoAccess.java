package io.resticmanager.proto;

import java.util.Map;

/**
 * Everything needed to open one repository for one job: its URL, password and backend
 * environment. Travels only in memory and over authenticated channels; {@link #toString()}
 * never shows a secret.
 */
public record RepoAccess(String repoId, String url, String password, Map<String, String> env) {
    public RepoAccess {
        Require.text(repoId, "repo_id");
        Require.text(url, "url");
        Require.text(password, "password");
        env = Require.map(env);
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
