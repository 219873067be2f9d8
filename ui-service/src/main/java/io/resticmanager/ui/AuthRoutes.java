package io.resticmanager.ui;

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

    record LoginView(String username, Views.ProblemView problem, boolean loggedOut) {
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
        pages.page(res, 200, session, "Log in", "", "auth/login", new LoginView("", null, loggedOut));
    }

    private void login(ServerRequest req, ServerResponse res) {
        Session session = Session.of(req);
        Form form = Form.read(req);
        String username = form.get("username");
        String password = form.raw("password");
        if (username.isEmpty() || password.isEmpty()) {
            pages.page(res, 422, session, "Log in", "", "auth/login", new LoginView(
                    username, Views.ProblemView.invalid("Enter your user name and password."), false));
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
            pages.page(res, e.status(), session, "Log in", "", "auth/login", new LoginView(username, problem, false));
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
        try {
            cookies = api.post(session, "/api/logout", null).setCookies();
            passCookies(res, cookies);
        } catch (ApiException e) {
            // Already logged out, or the API is down: the browser forgets the cookie either way.
        }
        if (cookies.stream().noneMatch(c -> c.startsWith(SESSION_COOKIE + "="))) {
            res.headers().add(HeaderNames.SET_COOKIE,
                              SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        }
        Pages.redirect(req, res, "/login?logged_out=1");
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
