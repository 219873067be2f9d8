package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * First-run setup, login and logout. The API sets and revokes the {@code rm_session} cookie; we pass its
 * Set-Cookie through to the browser unchanged, so the cookie's flags are decided in one place (the gateway).
 */
final class AuthRoutes implements HttpService {
    static final String SESSION_COOKIE = "rm_session";

    private final GatewayApi api;
    private final Pages pages;

    AuthRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    /**
     * @param sso              single sign-on as the gateway offers it, or null
     * @param localRestricted  local password login is for break-glass accounts only
     * @param ssoLoggedOut     a single sign-on user just logged out here: offer the provider's end-session link
     */
    record LoginView(String username, Views.ProblemView problem, boolean loggedOut, Sso sso, boolean localRestricted,
                     boolean ssoLoggedOut) {
    }

    record Sso(String name, String loginUrl, String endSessionUrl) {
    }

    record SetupView(String username, Views.ProblemView problem, boolean alreadySetUp) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/login", this::loginPage)
                .post("/login", this::login)
                .get("/setup", this::setupPage)
                .post("/setup", this::setup)
                .post("/logout", this::logout)
                .get("/logout", (req, res) -> Pages.redirect(req, res, "/"));
    }

    private void loginPage(ServerRequest req, ServerResponse res) {
        Session session = Session.of(req);
        if (session.loggedIn()) {
            Pages.redirect(req, res, "/");
            return;
        }
        boolean loggedOut = req.query().first("logged_out").isPresent();
        boolean ssoLoggedOut = loggedOut && req.query().first("sso").isPresent();
        String ssoError = req.query().first("sso_error").orElse("");
        pages.page(res, ssoError.isEmpty() ? 200 : 403, session, "Log in", "", "auth/login",
                   loginView(session, "", null, loggedOut, ssoLoggedOut, ssoError));
    }

    /** The login page's model: asks the gateway what it offers (single sign-on, local login rule). */
    private LoginView loginView(Session session, String username, Views.ProblemView problem, boolean loggedOut,
                                boolean ssoLoggedOut, String ssoError) {
        Sso sso = null;
        boolean restricted = false;
        try {
            JsonNode providers = api.get(session, "/api/auth/providers");
            JsonNode oidc = providers.path("oidc");
            if (oidc.isObject()) {
                String end = oidc.path("end_session_url").asText("");
                sso = new Sso(oidc.path("name").asText("single sign-on"), oidc.path("login_url").asText(),
                              end.startsWith("https://") || end.startsWith("http://") ? end : null);
            }
            restricted = "break-glass".equals(providers.path("local_login").asText());
        } catch (ApiException e) {
            // an older gateway or a passing outage: the password form alone
        }
        if (!ssoError.isEmpty()) {
            problem = ssoProblem(ssoError, sso == null ? "single sign-on" : sso.name());
        }
        return new LoginView(username, problem, loggedOut, sso, restricted, ssoLoggedOut && sso != null
                && sso.endSessionUrl() != null);
    }

    /** What a refused single sign-on tells the person (the audit log has the detailed reason). */
    static Views.ProblemView ssoProblem(String code, String provider) {
        String detail = switch (code) {
            case "no-role" -> "Your " + provider + " account is not in a group that may use restic-manager. "
                    + "Ask an administrator to add you to one.";
            case "conflict" -> "A local restic-manager account already has your user name. Ask an administrator.";
            case "disabled" -> "Your restic-manager account is disabled. Ask an administrator to enable it.";
            case "expired" -> "The sign-in took too long or was already used. Please try again.";
            case "refused" -> provider + " did not sign you in.";
            case "unavailable" -> provider + " cannot be reached right now. Please try again later.";
            default -> "Signing in with " + provider + " failed. Please try again; if it keeps failing, an "
                    + "administrator finds the reason in the audit log.";
        };
        return new Views.ProblemView("Single sign-on refused", detail);
    }

    private void login(ServerRequest req, ServerResponse res) {
        Session session = Session.of(req);
        Form form = Form.read(req);
        String username = form.get("username");
        String password = form.raw("password");
        if (username.isEmpty() || password.isEmpty()) {
            pages.page(res, 422, session, "Log in", "", "auth/login", loginView(
                    session, username, Views.ProblemView.invalid("Enter your user name and password."), false,
                    false, ""));
            return;
        }
        try {
            GatewayApi.Reply reply = api.post(session, "/api/login", credentials(username, password));
            passCookies(res, reply.setCookies());
            Pages.redirect(req, res, "/");
        } catch (ApiException e) {
            if (e.unavailable()) {
                throw e;
            }
            Views.ProblemView problem = e.status() == 401
                    ? new Views.ProblemView("Login failed", "The user name or password is not correct.")
                    : Views.ProblemView.of(e);
            pages.page(res, e.status(), session, "Log in", "", "auth/login",
                       loginView(session, username, problem, false, false, ""));
        }
    }

    private void setupPage(ServerRequest req, ServerResponse res) {
        Session session = Session.of(req);
        pages.page(res, 200, session, "Set up restic-manager", "", "auth/setup", new SetupView("", null, false));
    }

    private void setup(ServerRequest req, ServerResponse res) {
        Session session = Session.of(req);
        Form form = Form.read(req);
        String token = form.get("setup_token");
        String username = form.get("username");
        String password = form.raw("password");
        String problem = null;
        if (token.isEmpty() || username.isEmpty() || password.isEmpty()) {
            problem = "The setup token, a user name and a password are required.";
        } else if (!password.equals(form.raw("password_confirm"))) {
            problem = "The two passwords do not match.";
        }
        if (problem != null) {
            pages.page(res, 422, session, "Set up restic-manager", "", "auth/setup",
                       new SetupView(username, Views.ProblemView.invalid(problem), false));
            return;
        }
        try {
            api.post(session, "/api/setup", Map.of("setup_token", token, "username", username, "password", password));
        } catch (ApiException e) {
            if (e.unavailable()) {
                throw e;
            }
            pages.page(res, e.status(), session, "Set up restic-manager", "", "auth/setup",
                       new SetupView(username, Views.ProblemView.of(e), e.status() == 409));
            return;
        }
        // The admin exists now: log them straight in rather than asking for the same password again.
        try {
            GatewayApi.Reply reply = api.post(session, "/api/login", credentials(username, password));
            passCookies(res, reply.setCookies());
            Pages.redirect(req, res, "/");
        } catch (ApiException e) {
            Pages.redirect(req, res, "/login");
        }
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Session session = Session.of(req);
        List<String> cookies = List.of();
        boolean sso = false;
        try {
            GatewayApi.Reply reply = api.post(session, "/api/logout", null);
            cookies = reply.setCookies();
            passCookies(res, cookies);
            // a single sign-on user: the login page offers the provider's end-session link
            sso = reply.body().hasNonNull("end_session_url");
        } catch (ApiException e) {
            // Already logged out, or the API is down: the browser forgets the cookie either way.
        }
        if (cookies.stream().noneMatch(c -> c.startsWith(SESSION_COOKIE + "="))) {
            res.headers().add(HeaderNames.SET_COOKIE,
                              SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        }
        Pages.redirect(req, res, sso ? "/login?logged_out=1&sso=1" : "/login?logged_out=1");
    }

    private static Map<String, String> credentials(String username, String password) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        return body;
    }

    private static void passCookies(ServerResponse res, List<String> setCookies) {
        setCookies.forEach(c -> res.headers().add(HeaderNames.SET_COOKIE, c));
    }
}
