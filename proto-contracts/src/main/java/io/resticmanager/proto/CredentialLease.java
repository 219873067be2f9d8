package io.resticmanager.proto;

import java.time.Instant;

/**
 * What a schedule needs to run while the server is unreachable: one repository's backup credential, valid until
 * {@code expiresAt}. Granted at schedule sync; the agent keeps it in memory only. {@link #toString()} never shows a
 * secret.
 */
public record CredentialLease(RepoAccess access, Instant expiresAt) {
    public CredentialLease {
        Require.present(access, "access");
        Require.present(expiresAt, "expires_at");
    }

    public boolean validAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "CredentialLease[repo=" + access.repoId() + ", expiresAt=" + expiresAt + "]";
    }
}
