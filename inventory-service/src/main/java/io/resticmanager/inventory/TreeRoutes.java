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
 * {@code GET /api/snapshots/{snapshot_id}/tree?host_id=&path=/&limit=&cursor=}: one page of a directory level of a
 * snapshot, {@code {snapshot_id, path, items:[{name, type, path, size, mtime}], truncated, source, next_cursor}}
 * (at most {@link FileIndex#MAX_LIST} entries a page); and
 * {@code GET /api/snapshots/{snapshot_id}?host_id=}: the snapshot (by id or id prefix) as the host's list shows it;
 * {@code GET /api/snapshots/{snapshot_id}/size?host_id=&path=}: the total size of a file or directory in it (what a
 * download will be); and, for agent-hub's downloads only, {@code GET /internal/hosts/{id}/snapshot-access}.
 */
final class TreeRoutes implements HttpService {
    private final SnapshotTree tree;

    TreeRoutes(SnapshotTree tree) {
        this.tree = tree;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/snapshots/{id}/tree", this::tree)
                .get("/api/snapshots/{id}/size", this::size)
                .get("/api/snapshots/{id}", this::show)
                .post("/api/hosts/{id}/snapshots/{sid}/restore-preview", this::preview)
                .get("/internal/hosts/{id}/snapshot-access", this::access);
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
                                 Http.query(req, "repo_id"), Http.query(req, "cursor").filter(c -> !c.isEmpty()),
                                 Http.intQuery(req, "limit", FileIndex.MAX_LIST, 1, FileIndex.MAX_LIST)));
    }

    /**
     * {@code POST /api/hosts/{id}/snapshots/{sid}/restore-preview} with the restore's body ({@code paths}; other
     * fields such as {@code target} are ignored): how many files and bytes the restore would bring back.
     */
    private void preview(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        com.fasterxml.jackson.databind.JsonNode body = Http.body(req, com.fasterxml.jackson.databind.JsonNode.class);
        if (body == null || !body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        com.fasterxml.jackson.databind.JsonNode paths = body.get("paths");
        if (paths == null || !paths.isArray()) {
            throw Problem.badRequest("paths must be an array of absolute paths in the snapshot");
        }
        java.util.List<String> list = new java.util.ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode p : paths) {
            if (!p.isTextual()) {
                throw Problem.badRequest("paths must be an array of strings");
            }
            list.add(p.asText());
        }
        Http.json(res, tree.preview(req.path().pathParameters().get("sid"), HostRoutes.id(req), list,
                                    Http.query(req, "repo_id")));
    }

    private void size(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, tree.size(HostRoutes.id(req), hostId(req), Http.query(req, "path").orElse("/"),
                                 Http.query(req, "repo_id")));
    }

    /**
     * What agent-hub needs to stream {@code path} of a host's snapshot: the full snapshot id, its repository and that
     * repository's backup credential (secrets: no cache may keep the answer). The path is checked here, like restore
     * paths; 400 bad path, 404 unknown host or snapshot.
     */
    private void access(ServerRequest req, ServerResponse res) {
        String hostId = HostRoutes.id(req);
        String snapshotId = Http.query(req, "snapshot_id").orElseThrow(() -> Problem.badRequest(
                "snapshot_id is required"));
        res.header(io.helidon.http.HeaderNames.CACHE_CONTROL, "no-store");
        Http.json(res, tree.access(snapshotId, hostId, Http.query(req, "path").orElse(""), Http.query(req, "repo_id")));
    }
}
