package io.resticmanager.inventory;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Map;

/** {@code /api/repos/**}: secrets go in, never come out. */
final class RepoRoutes implements HttpService {
    private final Repos repos;

    RepoRoutes(Repos repos) {
        this.repos = repos;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/repos", this::create)
                .get("/api/repos", this::list)
                .post("/api/repos/rekey", this::rekey)
                .get("/api/repos/{id}", this::get)
                .get("/api/repos/{id}/stats/history", this::history)
                .patch("/api/repos/{id}", this::patch)
                .delete("/api/repos/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        Repo.Created created = repos.create(Http.body(req, Repos.CreateRequest.class));
        Http.audit(res, "repo.create", "repo=" + created.id());
        Http.json(res, 201, created);
    }

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        // ?trend_points=N: each repository's last N size points (sparklines), at most 100
        int trendPoints = Http.intQuery(req, "trend_points", 0, 0, 100);
        // ?brief=true: id, name and trend only, without the stats (a COUNT over each repository's snapshots):
        // what the dashboard's cards need, at the cost of one query per repository
        if (Http.query(req, "brief").filter("true"::equals).isPresent()) {
            Http.json(res, Map.of("items", repos.brief(trendPoints)));
            return;
        }
        Http.json(res, Map.of("items", repos.list(trendPoints)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, repos.get(HostRoutes.id(req)));
    }

    private void history(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        int limit = Http.intQuery(req, "limit", 100, 1, 1000);
        Http.json(res, Map.of("items", repos.history(HostRoutes.id(req), limit, Http.query(req, "mode"))));
    }

    private void patch(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = HostRoutes.id(req);
        List<String> fields = repos.patch(id, Http.bodyTree(req));
        Http.audit(res, "repo.update", "repo=" + id + " fields=" + String.join(",", fields));
        Http.json(res, repos.get(id));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = HostRoutes.id(req);
        repos.delete(id);
        Http.audit(res, "repo.delete", "repo=" + id);
        res.status(Status.NO_CONTENT_204).send();
    }

    private void rekey(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        Repos.Rekeyed result = repos.rekey();
        Http.audit(res, "repo.rekey", "key=" + result.keyId());
        Http.json(res, result);
    }
}
