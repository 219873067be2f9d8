package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;

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

    Host get(String id) {
        return hosts.find(id).orElseThrow(() -> Problem.notFound("no host " + id));
    }

    Host patch(String id, HostPatch patch) {
        get(id);
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
        get(id);
        hub.revoke(id);
        hosts.delete(id, clock.instant());
    }
}
