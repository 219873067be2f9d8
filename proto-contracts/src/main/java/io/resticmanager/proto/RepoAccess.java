package io.resticmanager.proto;

import java.util.Map;

/**
 * Everything needed to open one repository for one job: its URL, password and backend
 * environment. Travels only in memory and over authenticated channels; {@link #toString()}
 * never shows a secret.
 */
public record RepoAccess(String repoId, String url, String password, Map<String, String> env, Long offlineLeaseS,
                         Boolean leaseOnDisk, String maintenanceHostId, String forHostname) {
    /** How long an agent may keep this credential to run schedules while the server is unreachable, by default. */
    public static final long DEFAULT_OFFLINE_LEASE_S = 7L * 24 * 3600;

    public RepoAccess {
        Require.text(repoId, "repo_id");
        Require.text(url, "url");
        Require.text(password, "password");
        env = Require.map(env);
    }

    public RepoAccess(String repoId, String url, String password, Map<String, String> env) {
        this(repoId, url, password, env, null, null, null, null);
    }

    public RepoAccess(String repoId, String url, String password, Map<String, String> env, Long offlineLeaseS) {
        this(repoId, url, password, env, offlineLeaseS, null, null, null);
    }

    /**
     * Whether an agent may keep its offline lease of this credential on its disk (0600) so it survives an agent
     * restart during an outage; off unless an admin turned it on for the repository.
     */
    public boolean keepLeaseOnDisk() {
        return Boolean.TRUE.equals(leaseOnDisk);
    }

    /**
     * The maintenance job this access is for runs on another host: {@code maintenanceHostId} (the repository's
     * maintenance host) runs it with the full credential, scoped to {@code forHostname}'s snapshots. Null for a job
     * the asking host runs itself. A drill names {@code forHostname} without a maintenance host: the hostname whose
     * latest snapshot it restores (another host's, for a drill run on another host, with the backup credential only).
     */
    public boolean runsElsewhere() {
        return maintenanceHostId != null;
    }

    /** The lease this repository grants for offline runs (0 = never offline). */
    public long leaseSeconds() {
        return offlineLeaseS == null ? DEFAULT_OFFLINE_LEASE_S : offlineLeaseS;
    }

    /** The same access naming whose snapshots the job works on (a drill's), without a maintenance host. */
    public RepoAccess forSnapshotsOf(String hostname) {
        return new RepoAccess(repoId, url, password, env, offlineLeaseS, leaseOnDisk, maintenanceHostId, hostname);
    }

    @Override
    public String toString() {
        return "RepoAccess[repoId=" + repoId + ", url=" + redactedUrl() + ", password=***, env=" + env.keySet()
                + (maintenanceHostId == null ? "" : ", maintenanceHost=" + maintenanceHostId + ", for=" + forHostname)
                + "]";
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
