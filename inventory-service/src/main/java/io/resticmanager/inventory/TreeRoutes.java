package io.resticmanager.inventory;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Role;

/**
 * {@code GET /api/snapshots/{snapshot_id}/tree?host_id=&path=/}: one directory level of a snapshot,
 * {@code {snapshot_id, path, items:[{name, type, path, size, mtime}], truncated}}; and
 * {@code GET /api/snapshots/{snapshot_id}?host_id=}: the snapshot (by id or id prefix) as the host's list shows it.
 */
final class TreeRoutes implements HttpService {
    private final SnapshotTree tree;

    TreeRoutes(SnapshotTree tree) {
        this.tree = tree;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/snapshots/{id}/tree", this::tree)
                .get("/api/snapshots/{id}", this::show);
    }

    private void show(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        SnapshotTree.Found found = tree.snapshot(HostRoutes.id(req), hostId(req), Http.query(req, "repo_id"));
        var body = io.resticmanager.proto.Json.MAPPER.valueToTree(found.snapshot());
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("repo_id", found.repoId());
        Http.json(res, body);
    }

    private static String hostId(ServerRequest req) {
        return Http.query(req, "host_id").filter(h -> !h.isBlank())
                .orElseThrow(() -> Problem.badRequest("host_id is required"));
    }

    private void tree(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, tree.list(HostRoutes.id(req), hostId(req), Http.query(req, "path").orElse("/"),
                                 Http.query(req, "repo_id")));
    }
}
