package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/tokens} (admin): API tokens for scripts and Prometheus. Create with a role and an expiry: the value
 * is shown once, in the answer to that POST (never in a URL, never again), with a copy button. The list shows each
 * token's role, owner, expiry and when it was last used; revoke deletes it at once.
 */
final class TokenAdminRoutes implements HttpService {
    /** Expiry choices in days; the API takes 1 to 3650. */
    private static final List<Integer> EXPIRIES = List.of(7, 30, 90, 365, 730);
    private static final int DEFAULT_DAYS = 90;

    private final GatewayApi api;
    private final Pages pages;

    TokenAdminRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record TokenRow(String id, String name, String role, String owner, boolean ownerDisabled, Format.When created,
                    Format.When expires, boolean expired, Format.When lastUsed, Views.Badge state) {
    }

    /** The token just made: its only showing. */
    record Created(String name, String role, String value, Format.When expires) {
    }

    record CreateForm(String name, List<Views.Option> roleChoices, List<Views.Option> expiryChoices,
                      Views.ProblemView problem) {
        static CreateForm of(String name, String role, String days, Views.ProblemView problem) {
            List<Views.Option> expiries = new ArrayList<>();
            String chosen = days.isEmpty() ? String.valueOf(DEFAULT_DAYS) : days;
            EXPIRIES.forEach(d -> expiries.add(new Views.Option(String.valueOf(d), words(d),
                                                                String.valueOf(d).equals(chosen))));
            return new CreateForm(name, UserAdminRoutes.roleOptions(role.isEmpty() ? "viewer" : role), expiries,
                                  problem);
        }
    }

    record TokensPage(Admin.Tabs tabs, List<TokenRow> tokens, boolean empty, String saved, Views.ProblemView problem,
                      Created created, CreateForm create, boolean allowed) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/tokens", Pages.signedIn(this::list))
                .post("/admin/tokens", Pages.signedIn(this::act));
    }

    private void list(ServerRequest req, ServerResponse res, Session session) {
        if (!session.admin()) {
            refuse(res, session);
            return;
        }
        String saved = "revoked".equals(req.query().first("saved").orElse(""))
                ? "Token revoked: it stopped working at once." : null;
        render(res, 200, session, saved, null, null, null);
    }

    private void refuse(ServerResponse res, Session session) {
        pages.page(res, 403, session, "API tokens", "admin", "admin/tokens",
                   new TokensPage(Admin.Tabs.tokens(), List.of(), true, null, Admin.ADMINS_ONLY, null, null, false));
    }

    /** Field {@code action} = create or revoke. */
    private void act(ServerRequest req, ServerResponse res, Session session) {
        if (!session.admin()) {
            refuse(res, session);
            return;
        }
        Form form = Form.read(req);
        String action = form.get("action");
        Form.act(() -> {
            switch (action) {
                case "create" -> {
                    String name = form.get("name");
                    String role = form.get("role");
                    if (name.isEmpty()) {
                        throw new Form.Invalid("The token needs a name (what uses it: \"prometheus\", \"ci\" …).");
                    }
                    if (!UserAdminRoutes.ROLES.contains(role)) {
                        throw new Form.Invalid("Choose a role.");
                    }
                    Integer days = form.between("expires_in_days", "Expiry", 1, 3650);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("name", name);
                    body.put("role", role);
                    body.put("expires_in_days", days == null ? DEFAULT_DAYS : days);
                    JsonNode answer = api.post(session, "/api/tokens", body).body();
                    Created created = new Created(Nodes.text(answer, "name", name), Nodes.text(answer, "role", role),
                                                  Nodes.text(answer, "token", ""),
                                                  Format.when(Nodes.instant(answer, "expires_at"), Instant.now()));
                    // 200 with the value in the page: a redirect would need it in the URL or in storage
                    render(res, 200, session, null, null, created, null);
                }
                case "revoke" -> {
                    String id = form.get("token_id");
                    if (id.isEmpty()) {
                        throw new Form.Invalid("Which token? The form is missing its token.");
                    }
                    api.delete(session, "/api/tokens/" + Urls.enc(id));
                    Pages.redirect(req, res, "/admin/tokens?saved=revoked");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        }, (status, problem) -> failed(res, status, session, form, action, problem));
    }

    private void failed(ServerResponse res, int status, Session session, Form form, String action,
                        Views.ProblemView problem) {
        if (action.equals("create")) {
            render(res, status, session, null, null, null, CreateForm.of(form.get("name"), form.get("role"),
                                                                         form.get("expires_in_days"), problem));
        } else {
            render(res, status, session, null, problem, null, null);
        }
    }

    private void render(ServerResponse res, int status, Session session, String saved, Views.ProblemView problem,
                        Created created, CreateForm create) {
        Instant now = Instant.now();
        List<TokenRow> rows = new ArrayList<>();
        for (JsonNode t : Nodes.items(api.get(session, "/api/tokens"))) {
            rows.add(row(t, now));
        }
        pages.page(res, status, session, "API tokens", "admin", "admin/tokens",
                   new TokensPage(Admin.Tabs.tokens(), rows, rows.isEmpty(), saved, problem, created,
                                  create == null ? CreateForm.of("", "viewer", "", null) : create, true));
    }

    static TokenRow row(JsonNode t, Instant now) {
        Instant expires = Nodes.instant(t, "expires_at");
        boolean expired = expires != null && !expires.isAfter(now);
        boolean ownerDisabled = t.path("owner_disabled").asBoolean(false);
        Views.Badge state = expired ? new Views.Badge("failed", "Expired", "✗")
                : ownerDisabled ? new Views.Badge("disabled", "Owner disabled", "⊘")
                : new Views.Badge("online", "Active", "●");
        return new TokenRow(Nodes.text(t, "id", ""), Nodes.text(t, "name", ""), Nodes.text(t, "role", ""),
                            Nodes.text(t, "owner", "(gone)"), ownerDisabled,
                            Format.when(Nodes.instant(t, "created_at"), now), Format.when(expires, now), expired,
                            Format.when(Nodes.instant(t, "last_used_at"), now), state);
    }

    private static String words(int days) {
        return switch (days) {
            case 7 -> "1 week";
            case 30 -> "30 days";
            case 90 -> "90 days";
            case 365 -> "1 year";
            case 730 -> "2 years";
            default -> days + " days";
        };
    }
}
