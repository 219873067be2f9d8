package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** {@code /repos}: the repositories with their stats, and (admin) the form that adds one. */
final class RepoRoutes implements HttpService {
    private final GatewayApi api;
    private final Pages pages;

    RepoRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record RepoRow(String id, String name, String url, boolean hasPrune, String totalSize, String snapshotCount,
                   String rawSize, String dedup) {
    }

    /** Non-secret input survives a failed submit; passwords and the backend environment never do. */
    record RepoForm(String name, String url, Views.ProblemView problem) {
    }

    record ReposView(List<RepoRow> repos, boolean empty, RepoForm form, String created) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/repos", this::list)
                .post("/repos", this::create);
    }

    /** Repository id → name for cards and host pages; a viewer without access just sees ids. */
    static Map<String, String> repoNames(GatewayApi api, Session session) {
        Map<String, String> names = new HashMap<>();
        try {
            for (JsonNode repo : items(api.get(session, "/api/repos"))) {
                String id = Nodes.text(repo, "id");
                if (id != null) {
                    names.put(id, Nodes.text(repo, "name", Views.shortId(id)));
                }
            }
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
        }
        return names;
    }

    /** The list endpoint answers {@code {items:[…]}}; a bare array is accepted too. */
    static List<JsonNode> items(JsonNode body) {
        if (body.isArray()) {
            List<JsonNode> out = new ArrayList<>();
            body.forEach(out::add);
            return out;
        }
        return Nodes.items(body);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Session session = Pages.signedIn(req, res);
        if (session == null) {
            return;
        }
        render(res, 200, session, new RepoForm("", "", null), req.query().first("created").orElse(null));
    }

    private void render(ServerResponse res, int status, Session session, RepoForm form, String created) {
        List<RepoRow> rows = new ArrayList<>();
        for (JsonNode repo : items(api.get(session, "/api/repos"))) {
            rows.add(row(repo));
        }
        pages.page(res, status, session, "Repositories", "repos", "repos/index",
                   new ReposView(rows, rows.isEmpty(), form, created));
    }

    static RepoRow row(JsonNode repo) {
        JsonNode stats = repo.path("stats");
        OptionalLong total = Nodes.number(stats, "total_size");
        OptionalLong raw = Nodes.number(stats, "raw_size");
        OptionalLong count = Nodes.number(stats, "snapshot_count");
        Double ratio = Nodes.decimal(stats, "dedup_ratio");
        return new RepoRow(Nodes.text(repo, "id", ""), Nodes.text(repo, "name", "(unnamed)"),
                           Nodes.text(repo, "url", ""), repo.path("has_prune_credential").asBoolean(false),
                           total.isPresent() ? Format.bytes(total.getAsLong()) : "–",
                           count.isPresent() ? Format.count(count.getAsLong()) : "–",
                           raw.isPresent() ? Format.bytes(raw.getAsLong()) : null,
                           ratio == null ? null : String.format(java.util.Locale.ROOT, "%.2f×", ratio));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Session session = Pages.signedIn(req, res);
        if (session == null) {
            return;
        }
        Form form = Form.read(req);
        String name = form.get("name");
        String url = form.get("url");
        try {
            if (name.isEmpty() || url.isEmpty()) {
                throw new Form.Invalid("Name and repository URL are required.");
            }
            String password = form.raw("password");
            if (password.isEmpty()) {
                throw new Form.Invalid("The repository password is required.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("url", url);
            body.put("password", password);
            Map<String, String> env = form.env("env", "Backend environment");
            if (!env.isEmpty()) {
                body.put("env", env);
            }
            String prunePassword = form.raw("prune_password");
            if (!prunePassword.isEmpty()) {
                body.put("prune_password", prunePassword);
            }
            Map<String, String> pruneEnv = form.env("prune_env", "Prune environment");
            if (!pruneEnv.isEmpty()) {
                body.put("prune_env", pruneEnv);
            }
            api.post(session, "/api/repos", body);
            Pages.redirect(req, res, "/repos?created=" + java.net.URLEncoder.encode(name,
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (Form.Invalid e) {
            render(res, 422, session, new RepoForm(name, url, Views.ProblemView.invalid(e.getMessage())), null);
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            render(res, e.status(), session, new RepoForm(name, url, Views.ProblemView.of(e)), null);
        }
    }
}
