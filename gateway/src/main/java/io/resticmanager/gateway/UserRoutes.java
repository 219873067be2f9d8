package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Role;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Admin management of users ({@code /api/users}); the route table already requires admin. The last active admin
 * is never demoted, disabled or deleted. Disabling a user deletes its sessions and stops its API tokens at once
 * (both look their user up on every request and skip a disabled one).
 */
final class UserRoutes implements HttpService {
    static final int MAX_USERNAME = 64;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1," + MAX_USERNAME + "}");

    record CreateUser(String username, String password, Role role) {
    }

    record PatchUser(Role role, String password, Boolean disabled, Boolean breakGlass) {
    }

    private final UserStore users;
    private final Passwords passwords;
    private final Authenticator authenticator;
    private final OidcStore oidc;

    UserRoutes(UserStore users, Passwords passwords, Authenticator authenticator, OidcStore oidc) {
        this.oidc = oidc;
        this.users = users;
        this.passwords = passwords;
        this.authenticator = authenticator;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/users", this::list)
                .post("/api/users", this::create)
                .patch("/api/users/{id}", this::patch)
                .delete("/api/users/{id}", this::delete);
    }

    static void checkUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw Problem.unprocessable("username must be 1-64 characters of letters, digits, '.', '_', '@' or '-'");
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        Http.json(res, Map.of("items", users.list()));
    }

    private synchronized void create(ServerRequest req, ServerResponse res) {
        CreateUser body = Http.body(req, CreateUser.class);
        AuthRoutes.note(req).action("user.create", "user=" + body.username());
        checkUsername(body.username());
        if (body.role() == null) {
            throw Problem.unprocessable("role is required (admin, operator or viewer)");
        }
        Passwords.checkPolicy(body.password());
        if (users.usernameTaken(body.username())) {
            throw Problem.conflict("username " + body.username() + " is taken");
        }
        User user = User.local(UUID.randomUUID().toString(), body.username(), body.role(), Times.now(), false);
        users.insert(user, passwords.hash(body.password()));
        Http.json(res, 201, user);
    }

    private synchronized void patch(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        PatchUser body = Http.body(req, PatchUser.class);
        User user = users.byId(id).orElseThrow(() -> Problem.notFound("no user " + id));
        AuthRoutes.note(req).action("user.update", "user=" + user.username()
                + (body.role() != null ? " role=" + body.role().wire() : "")
                + (body.password() != null ? " password=changed" : "")
                + (body.disabled() != null ? " disabled=" + body.disabled() : "")
                + (body.breakGlass() != null ? " break_glass=" + body.breakGlass() : ""));
        if (user.oidc() && (body.password() != null || Boolean.TRUE.equals(body.breakGlass()))) {
            throw Problem.conflict(user.username() + " signs in through the identity provider: it has no password "
                                           + "here and cannot be a break-glass account");
        }
        if (user.oidc() && body.role() != null) {
            throw Problem.conflict(user.username() + "'s role comes from its groups at the identity provider, "
                                           + "set again at every login");
        }
        if (Boolean.FALSE.equals(body.breakGlass()) && user.breakGlass() && users.countBreakGlass() <= 1
                && oidc.settings().localLogin() == OidcStore.LocalLogin.BREAK_GLASS) {
            throw Problem.conflict("cannot remove the last break-glass account while local login is switched off");
        }
        boolean lastAdmin = user.role() == Role.ADMIN && !user.disabled() && users.countActiveAdmins() <= 1;
        if (lastAdmin && body.role() != null && body.role() != Role.ADMIN) {
            throw Problem.conflict("cannot demote the last admin");
        }
        if (lastAdmin && Boolean.TRUE.equals(body.disabled())) {
            throw Problem.conflict("cannot disable the last admin");
        }
        if (body.password() != null) {
            Passwords.checkPolicy(body.password());
        }
        if (body.disabled() != null && body.disabled() != user.disabled()) {
            users.setDisabled(id, body.disabled() ? Times.now() : null);
        }
        if (body.password() != null) {
            users.updatePassword(id, passwords.hash(body.password()));
        }
        if (body.role() != null) {
            users.updateRole(id, body.role());
        }
        if (body.breakGlass() != null) {
            users.updateBreakGlass(id, body.breakGlass());
        }
        // A changed password or a disabled account ends every session at once (tokens stop by the owner lookup).
        if (body.password() != null || Boolean.TRUE.equals(body.disabled())) {
            authenticator.revokeAll(id);
        }
        Http.json(res, users.byId(id).orElseThrow());
    }

    private synchronized void delete(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        User user = users.byId(id).orElseThrow(() -> Problem.notFound("no user " + id));
        AuthRoutes.note(req).action("user.delete", "user=" + user.username());
        if (user.role() == Role.ADMIN && !user.disabled() && users.countActiveAdmins() <= 1) {
            throw Problem.conflict("cannot delete the last admin");
        }
        if (user.breakGlass() && users.countBreakGlass() <= 1
                && oidc.settings().localLogin() == OidcStore.LocalLogin.BREAK_GLASS) {
            throw Problem.conflict("cannot delete the last break-glass account while local login is switched off");
        }
        users.delete(id);
        res.status(204).send();
    }
}
