package io.resticmanager.inventory;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;

/**
 * Snapshot lists, newest first, {@code ?limit=&cursor=}. A host's snapshots are those of its
 * repository whose restic hostname equals the host's hostname.
 */
final class SnapshotRoutes implements HttpService {
    private final Hosts hosts;
    private final Repos repos;
    private final SnapshotStore snapshots;

    SnapshotRoutes(Hosts hosts, Repos repos, SnapshotStore snapshots) {
        this.hosts = hosts;
        this.repos = repos;
        this.snapshots = snapshots;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/hosts/{id}/snapshots", this::forHost)
                .get("/api/repos/{id}/snapshots", this::forRepo);
    }

    private void forHost(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Host host = hosts.get(HostRoutes.id(req));
        // ?repo_id= picks one of the host's repositories; the primary one by default
        Optional<String> asked = Http.query(req, "repo_id").filter(r -> !r.isBlank());
        if (asked.isPresent() && host.repos().stream().noneMatch(l -> l.repoId().equals(asked.get()))) {
            throw Problem.notFound("host " + host.id() + " does not back up to repository " + asked.get());
        }
        String repoId = asked.orElse(host.repoId());
        if (repoId == null) {
            Http.json(res, new Page<>(List.of(), null));
            return;
        }
        Http.json(res, snapshots.page(repoId, Optional.of(host.hostname()), Http.query(req, "cursor"), limit(req)));
    }

    private void forRepo(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        String repoId = HostRoutes.id(req);
        repos.requireExists(repoId);
        Http.json(res, snapshots.page(repoId, Http.query(req, "hostname"), Http.query(req, "cursor"), limit(req)));
    }

    private static int limit(ServerRequest req) {
        return Http.intQuery(req, "limit", 50, 1, 500);
    }
}
