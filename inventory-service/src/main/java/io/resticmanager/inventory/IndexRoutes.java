package io.resticmanager.inventory;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Role;

import io.resticmanager.proto.view.HostView;
import java.util.List;
import java.util.Optional;

/**
 * The tree index over HTTP. For agent-hub, which relays what an agent sends:
 * {@code POST /internal/hosts/{id}/index/have} ({@code index.have} payload → {@code index.have.result}),
 * {@code …/index/upload} ({@code index.upload} → {@code index.result}), {@code …/index/root}
 * ({@code index.root} → {@code index.result}); a bad payload is 400/422 and nothing of it is stored. File search:
 * {@code GET /api/hosts/{id}/files?q=} (viewer) and across every host {@code GET /api/files?q=} (admin).
 */
final class IndexRoutes implements HttpService {
    private final FileIndex index;
    private final Hosts hosts;
    private final HostStore hostStore;

    IndexRoutes(FileIndex index, Hosts hosts, HostStore hostStore) {
        this.index = index;
        this.hosts = hosts;
        this.hostStore = hostStore;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/internal/hosts/{id}/index/have", (req, res) -> Http.json(res, index.have(
                        HostRoutes.id(req), Http.body(req, Message.IndexHave.class))))
                .post("/internal/hosts/{id}/index/upload", (req, res) -> Http.json(res, index.upload(
                        HostRoutes.id(req), Http.body(req, Message.IndexUpload.class))))
                .post("/internal/hosts/{id}/index/root", (req, res) -> Http.json(res, index.root(
                        HostRoutes.id(req), Http.body(req, Message.IndexRoot.class))))
                .get("/api/hosts/{id}/files", this::hostFiles)
                .get("/api/files", this::allFiles);
    }

    private void hostFiles(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        HostView host = hosts.get(HostRoutes.id(req));
        Http.json(res, index.search(List.of(host), query(req)));
    }

    private void allFiles(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        Http.json(res, index.search(hostStore.list(Optional.empty(), Optional.empty()), query(req)));
    }

    private static String query(ServerRequest req) {
        return Http.query(req, "q").orElseThrow(() -> Problem.badRequest("q is required (a file name or glob)"));
    }
}
