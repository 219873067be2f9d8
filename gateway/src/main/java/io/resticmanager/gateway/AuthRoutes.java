package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.ProblemBody;
import io.resticmanager.proto.Role;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** First-run setup, login, logout and "who am I". */
final class AuthRoutes implements HttpService {
    record SetupRequest(String setupToken, String username, String password) {
    }

    record LoginRequest(String username, String password) {
    }

    record LoginResponse(String userId, String role, String csrfToken) {
    }

    record Me(String userId, String username, String role, String csrfToken) {
    }

    /** What the login page offers: single sign-on (when configured) and whether local login is open to all. */
    record Providers(String localLogin, Sso oidc) {
    }

    record Sso(String name, String loginUrl, String endSessionUrl) {
    }

    record Settings(String localLogin, String updatedAt, String updatedBy, boolean oidcConfigured) {
    }

    record SettingsPatch(String localLogin) {
    }

    record LogoutResponse(String endSessionUrl) {
    }

    private final UserStore users;
    private final Passwords passwords;
    private final Authenticator authenticator;
    private final LoginThrottle throttle;
    private final SetupToken setupToken;
    private final OidcStore oidc;
    private final Optional<OidcClient> sso;

    AuthRoutes(UserStore users, Passwords passwords, Authenticator authenticator, LoginThrottle throttle,
               SetupToken setupToken, OidcStore oidc, Optional<OidcClient> sso) {
        this.users = users;
        this.passwords = passwords;
        this.authenticator = authenticator;
        this.throttle = throttle;
        this.setupToken = setupToken;
        this.oidc = oidc;
        this.sso = sso;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/setup", this::setup)
                .post("/api/login", this::login)
                .post("/api/logout", this::logout)
                .get("/api/me", this::me)
                .get("/api/auth/providers", this::providers)
                .get("/api/auth/settings", this::settings)
                .put("/api/auth/settings", this::updateSettings);
    }

    private void setup(ServerRequest req, ServerResponse res) {
        SetupRequest body = Http.body(req, SetupRequest.class);
        UserRoutes.checkUsername(body.username());
        note(req).action("setup", "user=" + body.username());
        note(req).user(String.valueOf(body.username()));
        User admin = createFirstAdmin(body);
        Http.json(res, 201, Map.of("user_id", admin.id()));
    }

    // One at a time, so two racing setup calls cannot both create an admin.
    private synchronized User createFirstAdmin(SetupRequest body) {
        if (users.countLocalAdmins() > 0) {
            throw Problem.conflict("setup is already done; log in instead");
        }
        if (body.setupToken() == null || !setupToken.matches(body.setupToken())) {
            throw Problem.unauthorized("invalid setup token (it is in <data dir>/setup-token on the gateway)");
        }
        UserRoutes.checkUsername(body.username());
        Passwords.checkPolicy(body.password());
        // the first admin is the break-glass account: it keeps password login when local login is switched off
        User admin = User.local(UUID.randomUUID().toString(), body.username(), Role.ADMIN, Times.now(), true);
        users.insert(admin, passwords.hash(body.password()));
        setupToken.consume();
        return admin;
    }

    private void login(ServerRequest req, ServerResponse res) {
        LoginRequest body = Http.body(req, LoginRequest.class);
        String username = body.username() == null ? "" : body.username();
        String password = body.password() == null ? "" : body.password();
        AuditNote note = note(req);
        // checked before throttling, hashing and auditing: a huge name costs nothing and is stored nowhere
        if (username.length() > UserRoutes.MAX_USERNAME || password.length() > Passwords.MAX_LENGTH) {
            note.action("login.failed", "user=(too long)");
            throw Problem.unprocessable("username must be at most " + UserRoutes.MAX_USERNAME
                                                + " characters and password at most " + Passwords.MAX_LENGTH);
        }
        note.user(username.isEmpty() ? "anonymous" : username);
        String sourceIp = source(req).ip();
        long now = System.currentTimeMillis();
        Optional<Long> wait = throttle.attempt(sourceIp, username, now);
        if (wait.isPresent()) {
            note.action("login.throttled", "user=" + username);
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(wait.get()));
            Http.problem(res, ProblemBody.of(429, "Too Many Requests",
                                             "too many login attempts; retry in " + wait.get() + " s"));
            return;
        }
        // accounts of the identity provider have no password here
        Optional<UserStore.Credentials> found = users.byUsername(username).filter(c -> !c.user().oidc());
        boolean ok;
        if (found.isPresent()) {
            ok = passwords.verify(password, found.get().passwordHash());
        } else {
            passwords.burn(password);
            ok = false;
        }
        if (!ok) {
            throttle.failure(username, now);
            note.action("login.failed", "user=" + username);
            throw Problem.unauthorized("invalid username or password");
        }
        throttle.success(username);
        User user = found.get().user();
        if (user.disabled()) {
            // only after the right password: a wrong one gets the same answer as for any account
            note.action("login.disabled", "user=" + user.username());
            throw Problem.forbidden("this account is disabled; ask an admin to enable it");
        }
        if (!user.breakGlass() && oidc.settings().localLogin() == OidcStore.LocalLogin.BREAK_GLASS) {
            note.action("login.refused", "user=" + user.username() + " reason=local password login is switched off");
            throw Problem.forbidden("local password login is switched off for this account"
                                            + sso.map(c -> "; sign in with " + c.config().name()).orElse(""));
        }
        note.action("login.ok", "user=" + user.username());
        Authenticator.NewSession session = authenticator.createSession(user, sourceIp);
        res.header(HeaderNames.SET_COOKIE, cookie(session.cookieValue(), authenticator.absoluteMillis() / 1000,
                                                   source(req).secure()));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Http.json(res, new LoginResponse(user.id(), user.role().wire(), session.csrfToken()));
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Caller caller = req.context().get(Caller.class).orElseThrow(() -> Problem.unauthorized("login required"));
        authenticator.revoke(caller);
        note(req).action("logout", "user=" + caller.auditName());
        res.header(HeaderNames.SET_COOKIE, cookie("", 0, source(req).secure()));
        // a single sign-on user is still signed in at the provider: offer its end-session endpoint, if any
        Optional<String> endSession = caller.session() && users.byId(caller.principal().userId())
                .map(User::oidc).orElse(false) ? sso.flatMap(c -> c.endSessionUrl(true)) : Optional.empty();
        if (endSession.isPresent()) {
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            Http.json(res, new LogoutResponse(endSession.get()));
            return;
        }
        res.status(204).send();
    }

    private void providers(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Http.json(res, new Providers(oidc.settings().localLogin().wire, sso.map(c -> new Sso(
                c.config().name(), OidcConfig.LOGIN_PATH, c.endSessionUrl(false).orElse(null))).orElse(null)));
    }

    private void settings(ServerRequest req, ServerResponse res) {
        OidcStore.Settings s = oidc.settings();
        Http.json(res, new Settings(s.localLogin().wire, s.updatedAt(), s.updatedBy(), sso.isPresent()));
    }

    private synchronized void updateSettings(ServerRequest req, ServerResponse res) {
        Caller caller = req.context().get(Caller.class).orElseThrow(() -> Problem.unauthorized("login required"));
        SettingsPatch body = Http.body(req, SettingsPatch.class);
        String wanted = body.localLogin() == null ? "" : body.localLogin();
        note(req).action("auth.settings", "local_login=" + AuditNote.bounded(wanted, 40));
        OidcStore.LocalLogin value = OidcStore.LocalLogin.parse(wanted).orElseThrow(() -> Problem.unprocessable(
                "local_login must be \"all\" or \"break-glass\""));
        if (value == OidcStore.LocalLogin.BREAK_GLASS) {
            if (sso.isEmpty()) {
                throw Problem.conflict("single sign-on is not configured (RM_OIDC_DISCOVERY_URL): local login is "
                                               + "the only way in");
            }
            if (users.countBreakGlass() == 0) {
                throw Problem.conflict("no local break-glass account: mark one first "
                                               + "(PATCH /api/users/{id} {\"break_glass\": true})");
            }
        }
        oidc.setLocalLogin(value, caller.auditName());
        settings(req, res);
    }

    private void me(ServerRequest req, ServerResponse res) {
        Caller caller = req.context().get(Caller.class).orElseThrow(() -> Problem.unauthorized("login required"));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Http.json(res, new Me(caller.principal().userId(), caller.principal().username(),
                              caller.principal().role().wire(), caller.session() ? caller.csrfToken() : null));
    }

    static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return Authenticator.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : "");
    }

    static AuditNote note(ServerRequest req) {
        return req.context().get(AuditNote.class).orElseGet(AuditNote::new);
    }

    static AccessGuard.Source source(ServerRequest req) {
        return req.context().get(AccessGuard.Source.class)
                .orElseGet(() -> new AccessGuard.Source(req.remotePeer().host(), req.isSecure()));
    }
}
