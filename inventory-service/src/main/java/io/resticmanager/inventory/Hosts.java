package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;

import io.resticmanager.proto.view.HostRepoView;
import io.resticmanager.proto.view.HostView;
import java.time.Clock;

/**
 * Host changes made by admins. Disabling, enabling and deleting go to agent-hub FIRST; if the hub
 * cannot be reached the request fails with 503 and nothing changes here, so inventory never shows a
 * host as disabled or removed while its agent could still connect.
 */
final class Hosts {
    private final HostStore hosts;
    private final RepoStore repos;
    private final AgentHubClient hub;
    private final Clock clock;

    Hosts(HostStore hosts, RepoStore repos, AgentHubClient hub, Clock clock) {
        this.hosts = hosts;
        this.repos = repos;
        this.hub = hub;
        this.clock = clock;
    }

    private static final java.util.regex.Pattern ROLE = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    /** The host without its repository list (cheap; for checks and lists). */
    HostView find(String id) {
        return hosts.find(id).orElseThrow(() -> Problem.notFound("no host " + id));
    }

    /** The host as {@code GET /api/hosts/{id}} shows it, with every repository it backs up to. */
    HostView get(String id) {
        return find(id).withRepos(hosts.repos(id));
    }

    java.util.List<HostRepoView> repos(String id) {
        find(id);
        return hosts.repos(id);
    }

    /** Links a repository (or relabels / promotes an existing link); returns the link as listed. */
    HostRepoView link(String id, String repoId, java.util.Optional<String> role, boolean primary) {
        find(id);
        role.ifPresent(r -> {
            if (!ROLE.matcher(r).matches()) {
                throw Problem.unprocessable("role must be 1 to 32 of a-z 0-9 - (e.g. primary, off-site, local)");
            }
        });
        if (repos.find(repoId).isEmpty()) {
            throw Problem.unprocessable("repository " + repoId + " does not exist");
        }
        if (!hosts.link(id, repoId, role, primary, clock.instant())) {
            throw Problem.notFound("no host " + id);
        }
        return hosts.repos(id).stream().filter(l -> l.repoId().equals(repoId)).findFirst().orElseThrow();
    }

    void unlink(String id, String repoId) {
        find(id);
        if (!hosts.unlink(id, repoId, clock.instant())) {
            throw Problem.notFound("host " + id + " does not back up to repository " + repoId);
        }
    }

    HostView patch(String id, HostPatch patch) {
        find(id);
        patch.repoId().filter(r -> !r.isEmpty()).ifPresent(repoId -> {
            if (repos.find(repoId).isEmpty()) {
                throw Problem.unprocessable("repository " + repoId + " does not exist");
            }
        });
        // Told every time (the call is idempotent), so a hub that drifted is brought back in line.
        patch.disabled().ifPresent(disabled -> hub.setDisabled(id, disabled));
        if (!hosts.patch(id, patch, clock.instant())) {
            throw Problem.notFound("no host " + id);
        }
        return get(id);
    }

    void delete(String id) {
        find(id);
        hub.revoke(id);
        hosts.delete(id, clock.instant());
    }
}
