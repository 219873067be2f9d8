package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Times;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Role;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single sign-on: {@code GET /auth/oidc/login} sends the browser to the provider (state, nonce and PKCE kept here
 * for ten minutes, the state also in a short-lived cookie that binds the login to this browser), and
 * {@code GET /auth/oidc/callback} checks what comes back, maps the user's groups to a role and starts the same
 * {@code rm_session} (+ CSRF) as a password login. Refusals go back to the login page with a short code and are
 * audited with their reason; a user whose groups no longer map to a role is marked refused, which ends their
 * sessions and API tokens at their next use, until a later login maps their groups again.
 */
final class OidcRoutes implements HttpService {
    static final String STATE_COOKIE = "rm_oidc";
    static final long PENDING_MILLIS = 10 * 60 * 1000L;
    static final int MAX_PENDING = 10_000;
    private static final System.Logger LOG = System.getLogger(OidcRoutes.class.getName());

    private final OidcClient client;
    private final UserStore users;
    private final OidcStore oidc;
    private final Authenticator authenticator;
    private final AuditStore audit;
    private final Map<String, OidcClient.Pending> pending = new ConcurrentHashMap<>();

    OidcRoutes(OidcClient client, UserStore users, OidcStore oidc, Authenticator authenticator, AuditStore audit) {
        this.client = client;
        this.users = users;
        this.oidc = oidc;
        this.authenticator = authenticator;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(OidcConfig.LOGIN_PATH, this::login)
                .get(OidcConfig.CALLBACK_PATH, this::callback);
    }

    OidcClient client() {
        return client;
    }

    private void login(ServerRequest req, ServerResponse res) {
        long now = System.currentTimeMillis();
        OidcClient.Pending p = OidcClient.Pending.create(now);
        URI target;
        try {
            target = client.authorizationUrl(p);
        } catch (OidcClient.Refusal r) {
            refuse(req, res, "anonymous", r);
            return;
        }
        remember(p, now);
        boolean secure = AuthRoutes.source(req).secure();
        res.header(HeaderNames.SET_COOKIE, stateCookie(p.state(), PENDING_MILLIS / 1000, secure));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.LOCATION, target.toString());
        res.status(Status.SEE_OTHER_303).send();
    }

    private void remember(OidcClient.Pending p, long now) {
        pending.values().removeIf(old -> now - old.createdAt() > PENDING_MILLIS);
        if (pending.size() >= MAX_PENDING) {
            // anonymous callers can start logins: the oldest ones give way rather than memory
            pending.values().stream().sorted(Comparator.comparingLong(OidcClient.Pending::createdAt))
                    .limit(pending.size() - MAX_PENDING + 1L).toList()
                    .forEach(old -> pending.remove(old.state()));
        }
        pending.put(p.state(), p);
    }

    private void callback(ServerRequest req, ServerResponse res) {
        // the state cookie is single-use whatever happens next
        boolean secure = AuthRoutes.source(req).secure();
        res.header(HeaderNames.SET_COOKIE, stateCookie("", 0, secure));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        String who = "anonymous";
        try {
            var query = req.query();
            String state = query.first("state").orElse("");
            Optional<String> error = query.first("error").asOptional();
            OidcClient.Pending p = state.isEmpty() ? null : pending.remove(state);
            if (error.isPresent()) {
                throw new OidcClient.Refusal("refused", "provider answered error="
                        + OidcClient.bounded(error.get()));
            }
            if (state.isEmpty()) {
                throw new OidcClient.Refusal("failed", "callback without state");
            }
            Optional<String> cookie = cookie(req, STATE_COOKIE);
            if (cookie.isEmpty() || !Tokens.same(cookie.get(), state)) {
                throw new OidcClient.Refusal("failed", "state does not match the login this browser started");
            }
            if (p == null || System.currentTimeMillis() - p.createdAt() > PENDING_MILLIS) {
                throw new OidcClient.Refusal("expired", "state unknown, already used or expired");
            }
            String code = query.first("code").orElse("");
            if (code.isEmpty()) {
                throw new OidcClient.Refusal("failed", "callback without code");
            }
            OidcClient.Identity identity = client.complete(code, p);
            who = OidcClient.bounded(identity.username());
            User user = provision(identity, AuthRoutes.source(req).ip());
            who = user.username();
            Authenticator.NewSession session = authenticator.createSession(user, AuthRoutes.source(req).ip());
            record(req, user.username(), "oidc.login", "user=" + user.username() + " role=" + user.role().wire()
                    + " groups=" + identity.groups(), 303);
            res.header(HeaderNames.SET_COOKIE, AuthRoutes.cookie(session.cookieValue(),
                                                                  authenticator.absoluteMillis() / 1000, secure));
            res.header(HeaderNames.LOCATION, "/");
            res.status(Status.SEE_OTHER_303).send();
        } catch (OidcClient.Refusal r) {
            refuse(req, res, who, r);
        }
    }

    /** Finds or creates the user for this identity and sets its role from its groups now; throws a refusal. */
    synchronized User provision(OidcClient.Identity id, String sourceIp) {
        OidcConfig config = client.config();
        Optional<Role> role = config.roleFor(id.groups());
        Optional<OidcStore.Link> link = oidc.find(id.issuer(), id.subject());
        Optional<User> linked = link.flatMap(l -> users.byId(l.userId()));
        if (linked.isPresent() && linked.get().disabled()) {
            // an admin's decision: no login through the provider undoes it
            throw new OidcClient.Refusal("disabled", "the account " + linked.get().username() + " is disabled here");
        }
        if (role.isEmpty()) {
            String ended = "";
            if (linked.isPresent()) {
                users.refuseSso(linked.get().id());
                oidc.recordLogin(id.issuer(), id.subject(), id.groups());
                ended = "; its sessions and tokens ended";
            }
            throw new OidcClient.Refusal("no-role", "no group maps to a role (groups " + id.groups() + ")" + ended);
        }
        if (linked.isPresent()) {
            User user = linked.get();
            if (user.ssoRefusedAt() != null) {
                users.clearSsoRefusal(user.id());
            }
            if (user.role() != role.get()) {
                users.updateRole(user.id(), role.get());
                record(sourceIp, user.username(), "oidc.role-change", "user=" + user.username() + " role="
                        + user.role().wire() + "→" + role.get().wire() + " groups=" + id.groups(), 200);
            }
            oidc.recordLogin(id.issuer(), id.subject(), id.groups());
            return new User(user.id(), user.username(), role.get(), user.createdAt(), null, user.source(),
                            user.breakGlass(), null);
        }
        String username = username(id.username());
        Optional<UserStore.Credentials> taken = users.byUsername(username);
        if (taken.isPresent()) {
            throw new OidcClient.Refusal("conflict", "user name " + username + " belongs to "
                    + (taken.get().user().oidc() ? "another identity of the provider" : "a local account"));
        }
        User user = new User(UUID.randomUUID().toString(), username, role.get(), Times.now(), null, User.OIDC, false,
                             null);
        oidc.insert(user, id.issuer(), id.subject(), id.groups());
        record(sourceIp, username, "oidc.user-create", "user=" + username + " role=" + role.get().wire()
                + " groups=" + id.groups(), 201);
        return user;
    }

    /** The provider's user name as one of ours: letters, digits and {@code . _ @ -}, at most 64 characters. */
    static String username(String claim) {
        String cleaned = claim.strip().replaceAll("[^A-Za-z0-9._@-]", "_");
        if (cleaned.isEmpty()) {
            cleaned = "user";
        }
        return cleaned.length() > UserRoutes.MAX_USERNAME ? cleaned.substring(0, UserRoutes.MAX_USERNAME) : cleaned;
    }

    private void refuse(ServerRequest req, ServerResponse res, String who, OidcClient.Refusal r) {
        if (r.code.equals("unavailable")) {
            LOG.log(Level.WARNING, "single sign-on: " + r.reason());
        }
        int status = r.code.equals("unavailable") ? 502 : 403;
        record(req, who, "oidc.refused", "reason=" + r.reason(), status);
        res.header(HeaderNames.LOCATION, "/login?sso_error=" + r.code);
        res.status(Status.SEE_OTHER_303).send();
    }

    private void record(ServerRequest req, String user, String action, String target, int status) {
        record(AuthRoutes.source(req).ip(), user, action, target, status);
    }

    private void record(String sourceIp, String user, String action, String target, int status) {
        try {
            audit.append(new AuditEntry(Times.now(), AuditNote.bounded(user, AuditNote.MAX_USER), action,
                                        AuditNote.bounded(target, AuditNote.MAX_TARGET), status,
                                        AuditEntry.result(status), AuditNote.bounded(sourceIp, AuditNote.MAX_USER)));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "cannot write audit row for " + action, e);
        }
    }

    static String stateCookie(String value, long maxAgeSeconds, boolean secure) {
        return STATE_COOKIE + "=" + value + "; Path=/auth/oidc; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    static Optional<String> cookie(ServerRequest req, String name) {
        for (String line : req.headers().all(HeaderNames.COOKIE, List::of)) {
            for (String part : line.split(";")) {
                String p = part.strip();
                if (p.startsWith(name + "=") && p.length() > name.length() + 1) {
                    return Optional.of(p.substring(name.length() + 1));
                }
            }
        }
        return Optional.empty();
    }
}
