package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.SnapshotInfo;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.Page;
import io.resticmanager.proto.view.SnapshotView;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Snapshot lists, newest first, {@code ?limit=&cursor=}. A host's snapshots are those of its
 * repository whose restic hostname equals the host's hostname. Each item says whether the tree index holds it
 * ({@code indexed}: browsed from the server, searchable, previewable); a host's list also says how many of its
 * snapshots in that repository are not indexed yet ({@code index_pending}: background indexing asks the agent for them).
 */
final class SnapshotRoutes implements HttpService {
    private final Hosts hosts;
    private final Repos repos;
    private final SnapshotStore snapshots;
    private final FileIndex index;

    SnapshotRoutes(Hosts hosts, Repos repos, SnapshotStore snapshots, FileIndex index) {
        this.hosts = hosts;
        this.repos = repos;
        this.snapshots = snapshots;
        this.index = index;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/hosts/{id}/snapshots", this::forHost)
                .get("/api/repos/{id}/snapshots", this::forRepo);
    }

    private void forHost(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        HostView host = hosts.get(HostRoutes.id(req));
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
        ObjectNode body = Json.MAPPER.valueToTree(withIndexed(repoId, snapshots.page(
                repoId, Optional.of(host.hostname()), Http.query(req, "cursor"), limit(req))));
        // background indexing's progress: the host's snapshots in this repository the index lacks (yet)
        body.put("index_pending", index.pending(repoId, host.hostname()));
        Http.json(res, body);
    }

    private void forRepo(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        String repoId = HostRoutes.id(req);
        repos.requireExists(repoId);
        Http.json(res, withIndexed(repoId, snapshots.page(repoId, Http.query(req, "hostname"),
                                                          Http.query(req, "cursor"), limit(req))));
    }

    private Page<SnapshotView> withIndexed(String repoId, Page<SnapshotInfo> page) {
        Set<String> indexed = index.indexed(repoId, page.items().stream().map(SnapshotInfo::id).toList());
        return new Page<>(page.items().stream().map(s -> SnapshotView.of(s, indexed.contains(s.id()))).toList(),
                          page.nextCursor());
    }

    private static int limit(ServerRequest req) {
        return Http.intQuery(req, "limit", 50, 1, 500);
    }
}
