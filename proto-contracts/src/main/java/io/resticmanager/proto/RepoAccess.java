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
        return "RepoAccess[repoId=" + repoId + ", url=" + url + ", password=***, env=" + env.keySet() + "]";
    }
}
