package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.Principal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/users} (admin): every user with role and state; create, change role, reset password, disable or
 * enable, delete (after a confirmation). The gateway refuses the last active admin's demotion, disabling and deletion
 * and ends a disabled user's sessions and tokens; its answer is shown next to the list. With single sign-on set up,
 * the page also switches local password login between everyone and the break-glass accounts, and marks which local
 * accounts are break-glass; a user from the identity provider has no password here and gets its role from its
 * groups, so those controls are not offered for it. Without the admin role the page only says so, and calls nothing.
 */
final class UserAdminRoutes implements HttpService {
    static final List<String> ROLES = List.of("viewer", "operator", "admin");

    private final GatewayApi api;
    private final Pages pages;

    UserAdminRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record UserRow(String id, String username, String role, List<Views.Option> roleChoices, boolean disabled,
                   Views.Badge state, Format.When created, boolean self, boolean sso, boolean breakGlass) {
        /** Role and password are the provider's business for a single sign-on user. */
        boolean local() {
            return !sso;
        }
    }

    /** Who may still log in with a password once single sign-on is set up (null: no single sign-on). */
    record SignIn(String provider, boolean breakGlassOnly, String updatedBy, Format.When updated) {
    }

    /** A delete waiting for "yes". */
    record Confirm(String id, String username) {
    }

    record CreateForm(String username, List<Views.Option> roleChoices, Views.ProblemView problem) {
        static CreateForm of(String username, String role, Views.ProblemView problem) {
            return new CreateForm(username, roleOptions(role.isEmpty() ? "viewer" : role), problem);
        }
    }

    record UsersPage(Admin.Tabs tabs, List<UserRow> users, String saved, Views.ProblemView problem, Confirm confirm,
                     CreateForm create, boolean allowed, SignIn signIn) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin", (req, res) -> Pages.redirect(req, res, "/admin/users"))
                .get("/admin/users", Pages.signedIn(this::list))
                .post("/admin/users", Pages.signedIn(this::act));
    }

    private void list(ServerRequest req, ServerResponse res, Session session) {
        if (!session.admin()) {
            refuse(res, session);
            return;
        }
        String saved = switch (req.query().first("saved").orElse("")) {
            case "created" -> "User created. They can log in now.";
            case "role" -> "Role changed; it applies to their open sessions and tokens at once.";
            case "password" -> "Password reset. Their open sessions were ended: they log in with the new one.";
            case "disabled" -> "User disabled: their sessions ended and their API tokens stopped working.";
            case "enabled" -> "User enabled: they can log in again, and their API tokens work again.";
            case "deleted" -> "User deleted, with their API tokens.";
            case "local-login" -> "Sign-in settings saved.";
            case "break-glass" -> "Break-glass accounts changed.";
            default -> null;
        };
        render(res, 200, session, saved, null, null, null);
    }

    private void refuse(ServerResponse res, Session session) {
        pages.page(res, 403, session, "Users", "admin", "admin/users",
                   new UsersPage(Admin.Tabs.users(), List.of(), null, Admin.ADMINS_ONLY, null, null, false, null));
    }

    /**
     * One endpoint: field {@code action} = create, role, password, disable, enable, delete, break-glass ({@code on} =
     * yes/no) or local-login ({@code local_login} = all/break-glass).
     */
    private void act(ServerRequest req, ServerResponse res, Session session) {
        if (!session.admin()) {
            refuse(res, session);
            return;
        }
        Form form = Form.read(req);
        String action = form.get("action");
        String id = form.get("user_id");
        Form.act(() -> {
            switch (action) {
                case "create" -> {
                    String role = form.get("role");
                    if (form.get("username").isEmpty()) {
                        throw new Form.Invalid("The user needs a name.");
                    }
                    if (!ROLES.contains(role)) {
                        throw new Form.Invalid("Choose a role.");
                    }
                    password(form);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("username", form.get("username"));
                    body.put("password", form.raw("password"));
                    body.put("role", role);
                    api.post(session, "/api/users", body);
                    Pages.redirect(req, res, "/admin/users?saved=created");
                }
                case "role" -> {
                    String role = form.get("role");
                    if (!ROLES.contains(role)) {
                        throw new Form.Invalid("Choose a role.");
                    }
                    api.patch(session, "/api/users/" + enc(id), Map.of("role", role));
                    Pages.redirect(req, res, "/admin/users?saved=role");
                }
                case "password" -> {
                    password(form);
                    api.patch(session, "/api/users/" + enc(id), Map.of("password", form.raw("password")));
                    Pages.redirect(req, res, "/admin/users?saved=password");
                }
                case "disable", "enable" -> {
                    api.patch(session, "/api/users/" + enc(id), Map.of("disabled", action.equals("disable")));
                    Pages.redirect(req, res, "/admin/users?saved=" + action + "d");
                }
                case "break-glass" -> {
                    api.patch(session, "/api/users/" + enc(id), Map.of("break_glass", form.get("on").equals("yes")));
                    Pages.redirect(req, res, "/admin/users?saved=break-glass");
                }
                case "local-login" -> {
                    String mode = form.get("local_login");
                    if (!mode.equals("all") && !mode.equals("break-glass")) {
                        throw new Form.Invalid("Choose who may log in with a password.");
                    }
                    api.put(session, "/api/auth/settings", Map.of("local_login", mode));
                    Pages.redirect(req, res, "/admin/users?saved=local-login");
                }
                case "delete" -> {
                    if (!form.get("confirm").equals("yes")) {
                        enc(id);
                        render(res, 200, session, null, null, new Confirm(id, form.get("username")), null);
                        return;
                    }
                    api.delete(session, "/api/users/" + enc(id));
                    Pages.redirect(req, res, "/admin/users?saved=deleted");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        }, (status, problem) -> failed(res, status, session, form, action, problem));
    }

    /** A create problem goes next to the create form (name and role kept, never the password); others above. */
    private void failed(ServerResponse res, int status, Session session, Form form, String action,
                        Views.ProblemView problem) {
        if (action.equals("create")) {
            render(res, status, session, null, null, null, CreateForm.of(form.get("username"), form.get("role"),
                                                                         problem));
        } else {
            render(res, status, session, null, problem, null, null);
        }
    }

    /** The typed password and its confirmation agree (the gateway checks its length and strength). */
    private static void password(Form form) {
        if (form.raw("password").isEmpty()) {
            throw new Form.Invalid("Enter a password.");
        }
        if (!form.raw("password").equals(form.raw("password_confirm"))) {
            throw new Form.Invalid("The two passwords differ.");
        }
    }

    private void render(ServerResponse res, int status, Session session, String saved, Views.ProblemView problem,
                        Confirm confirm, CreateForm create) {
        String me = session.principal().map(Principal::userId).orElse("");
        Instant now = Instant.now();
        List<UserRow> rows = new ArrayList<>();
        for (JsonNode u : Nodes.items(api.get(session, "/api/users"))) {
            rows.add(row(u, me, now));
        }
        pages.page(res, status, session, "Users", "admin", "admin/users",
                   new UsersPage(Admin.Tabs.users(), rows, saved, problem, confirm,
                                 create == null ? CreateForm.of("", "viewer", null) : create, true,
                                 signIn(session, now)));
    }

    /** The sign-in switch, when single sign-on is configured (its provider's name from the login page's own call). */
    private SignIn signIn(Session session, Instant now) {
        JsonNode settings;
        try {
            settings = api.get(session, "/api/auth/settings");
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            return null; // a gateway without the setting: the user list still works
        }
        if (!settings.path("oidc_configured").asBoolean(false)) {
            return null;
        }
        String provider = Nodes.text(api.get(session, "/api/auth/providers").path("oidc"), "name", "single sign-on");
        return new SignIn(provider, "break-glass".equals(Nodes.text(settings, "local_login", "all")),
                          Nodes.text(settings, "updated_by", ""), Format.when(Nodes.instant(settings, "updated_at"), now));
    }

    static UserRow row(JsonNode u, String me, Instant now) {
        String id = Nodes.text(u, "id", "");
        String role = Nodes.text(u, "role", "");
        boolean disabled = u.path("disabled").asBoolean(false);
        return new UserRow(id, Nodes.text(u, "username", ""), role, roleOptions(role), disabled,
                           disabled ? new Views.Badge("disabled", "Disabled", "⊘")
                                   : new Views.Badge("online", "Active", "●"),
                           Format.when(Nodes.instant(u, "created_at"), now), id.equals(me),
                           "oidc".equals(Nodes.text(u, "source", "local")), u.path("break_glass").asBoolean(false));
    }

    static List<Views.Option> roleOptions(String selected) {
        List<Views.Option> out = new ArrayList<>();
        ROLES.forEach(r -> out.add(new Views.Option(r, Admin.roleLabel(r), r.equals(selected))));
        return out;
    }

    private static String enc(String id) {
        if (id == null || id.isEmpty()) {
            throw new Form.Invalid("Which user? The form is missing its user.");
        }
        return Urls.enc(id);
    }
}
