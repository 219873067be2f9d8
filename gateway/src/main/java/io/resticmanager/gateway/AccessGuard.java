package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderName;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.security.SecurityContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.Tokens;

import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's front door for every HTTP request (and WebSocket upgrade): security headers, path sanity, body
 * limit, authentication (helidon-security), the {@link RouteTable} decision, CSRF for cookie-authenticated unsafe
 * requests, and one audit row for every state-changing request, whatever its outcome.
 */
final class AccessGuard implements Filter {
    static final HeaderName CSRF_HEADER = HeaderNames.create("X-CSRF-Token");
    static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
    private static final System.Logger LOG = System.getLogger(AccessGuard.class.getName());

    private final RouteTable table;
    private final GatewaySecurity security;
    private final ClientAddress addresses;
    private final MetricsAllowList scrapers;
    private final AuditStore audit;
    private final WsProxy wsProxy;
    private final long maxBodyBytes;
    private final String internalToken;

    AccessGuard(RouteTable table, GatewaySecurity security, ClientAddress addresses, MetricsAllowList scrapers,
                AuditStore audit, WsProxy wsProxy, long maxBodyBytes, String internalToken) {
        this.internalToken = internalToken;
        this.wsProxy = wsProxy;
        this.table = table;
        this.security = security;
        this.addresses = addresses;
        this.scrapers = scrapers;
        this.audit = audit;
        this.maxBodyBytes = maxBodyBytes;
    }

    static void securityHeaders(RoutingResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        securityHeaders(res);
        String method = req.prologue().method().text();
        String path = req.path().path();
        String sourceIp = addresses.of(req);
        AuditNote note = new AuditNote();
        req.context().register(note);
        req.context().register(new Source(sourceIp, addresses.secure(req)));
        RouteTable.Rule rule = table.match(method, path);
        Optional<Caller> caller = Optional.empty();
        int status = 500;
        try {
            checkPath(req.path().rawPath());
            checkLength(req);
            SecurityContext context = req.context().get(SecurityContext.class)
                    .orElseGet(() -> security.context(method, path, req.headers().toMap()));
            caller = GatewaySecurity.authenticate(context);
            caller.ifPresent(c -> req.context().register(c));
            // login and setup forms have no session to carry a CSRF token: a browser must be posting from here
            if (caller.isEmpty() && UNSAFE.contains(method) && !addresses.sameSite(req)) {
                throw Problem.forbidden("cross-site request refused: this form must be sent from this site");
            }
            if (!allowed(req, res, rule, context, caller, sourceIp)) {
                status = res.status().code();
                return;
            }
            if (WsProxy.isUpgrade(req.headers(), path)) {
                // Open the backend before Helidon accepts the upgrade, so its refusal becomes ours.
                String key = wsProxy.prepare(req.headers(), req.path().rawPath(), req.query().rawValue(), caller,
                                             sourceIp);
                try {
                    chain.proceed();
                } finally {
                    wsProxy.release(key);
                }
                status = 101;
                return;
            }
            chain.proceed();
            status = res.status().code();
        } catch (Problem p) {
            status = p.status();
            throw p;
        } catch (RequestException e) {
            status = e.status().code();
            throw e;
        } catch (Proxy.UpstreamBroken e) {
            status = res.status().code(); // the status line went out; the note says the body broke off
            throw e;
        } catch (RuntimeException e) {
            status = 500;
            throw e;
        } finally {
            if (UNSAFE.contains(method)) {
                record(method, path, rule, caller, note, status, sourceIp);
            }
        }
    }

    /** Where the request came from, for handlers and the proxy. */
    record Source(String ip, boolean secure) {
    }

    /** @return false when the guard already answered (a redirect); throws a problem when refused */
    private boolean allowed(RoutingRequest req, RoutingResponse res, RouteTable.Rule rule, SecurityContext context,
                            Optional<Caller> caller, String sourceIp) {
        switch (rule.access()) {
            case NOT_FOUND -> throw Problem.notFound("no such resource");
            case INTERNAL -> {
                if (!Tokens.same(req.headers().first(io.resticmanager.kit.Http.INTERNAL_TOKEN).orElse(null),
                                 internalToken)) {
                    throw Problem.notFound("no such resource");
                }
                return true;
            }
            case PUBLIC -> {
                return true;
            }
            case SCRAPE -> {
                if (caller.isEmpty() && !Authenticator.presentsCredentials(req.headers().toMap())
                        && scrapers.allows(sourceIp)) {
                    return true;
                }
                requireRole(req, rule, context, caller);
            }
            case PAGE -> {
                if (caller.isEmpty()) {
                    res.status(Status.SEE_OTHER_303);
                    res.header(HeaderNames.LOCATION, "/login");
                    res.header(HeaderNames.CACHE_CONTROL, "no-store");
                    res.send();
                    return false;
                }
            }
            case DENY -> {
                if (caller.isEmpty()) {
                    throw Problem.unauthorized("login required");
                }
                throw Problem.forbidden("no route allows " + req.prologue().method().text() + " here");
            }
            default -> requireRole(req, rule, context, caller);
        }
        checkCsrf(req, caller.get());
        return true;
    }

    /** An authenticated caller with the rule's role (if it names one), else 401 or 403. */
    private static void requireRole(RoutingRequest req, RouteTable.Rule rule, SecurityContext context,
                                    Optional<Caller> caller) {
        if (caller.isEmpty()) {
            throw Problem.unauthorized(Authenticator.presentsCredentials(req.headers().toMap())
                                               ? "session expired or credential revoked; log in again"
                                               : "login required");
        }
        Optional<io.resticmanager.proto.Role> required = rule.access().role();
        if (required.isPresent() && !GatewaySecurity.hasRole(context, required.get())) {
            throw Problem.forbidden("this needs the " + required.get().wire() + " role; you are "
                                            + caller.get().principal().role().wire());
        }
    }

    private void checkCsrf(RoutingRequest req, Caller caller) {
        if (!caller.session() || !UNSAFE.contains(req.prologue().method().text())) {
            return;
        }
        Optional<String> header = req.headers().first(CSRF_HEADER);
        if (header.isPresent()) {
            if (Tokens.same(header.get(), caller.csrfToken())) {
                return;
            }
            throw Problem.forbidden("CSRF token missing or wrong");
        }
        boolean form = req.headers().contentType()
                .map(t -> t.mediaType().text().toLowerCase(Locale.ROOT).equals("application/x-www-form-urlencoded"))
                .orElse(false);
        if (form) {
            BufferedBody body = BufferedBody.read(req, maxBodyBytes);
            req.context().register(body);
            if (Tokens.same(formField(new String(body.bytes(), StandardCharsets.UTF_8), "_csrf"),
                            caller.csrfToken())) {
                return;
            }
        }
        throw Problem.forbidden("CSRF token missing or wrong");
    }

    private void record(String method, String path, RouteTable.Rule rule, Optional<Caller> caller, AuditNote note,
                        int status, String sourceIp) {
        String user = caller.map(Caller::auditName).or(note::user).orElse("anonymous");
        String action = note.action().orElse(method + " " + (rule.pattern().endsWith("**") ? path : rule.pattern()));
        // a streamed answer (a download) is judged by how its body ended, not only by its status line
        String target = note.target().orElse(path) + note.streamedBytes().map(b -> " bytes=" + b
                + (note.streamComplete() ? " outcome=complete" : " outcome=incomplete")).orElse("");
        String result = note.streamedBytes().isPresent() && !note.streamComplete() && status < 400 ? "failed"
                : AuditEntry.result(status);
        try {
            audit.append(new AuditEntry(Times.now(), AuditNote.bounded(user, AuditNote.MAX_USER),
                                        AuditNote.bounded(action, AuditNote.MAX_ACTION),
                                        AuditNote.bounded(target, AuditNote.MAX_TARGET), status,
                                        result, AuditNote.bounded(sourceIp, AuditNote.MAX_USER)));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "cannot write audit row for " + action, e);
        }
    }

    private void checkLength(RoutingRequest req) {
        Optional<Long> length = req.headers().contentLength().stream().boxed().findFirst();
        if (length.isPresent() && length.get() > maxBodyBytes) {
            throw BufferedBody.tooLarge(maxBodyBytes);
        }
    }

    /**
     * Encoded slashes and dot segments could make our match and the backend's differ: refuse them. Judged on the
     * raw path: Helidon's {@code path()} already has {@code ..}, {@code .} and {@code //} normalized away.
     */
    static void checkPath(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || raw.contains("//")) {
            throw Problem.badRequest("path not allowed");
        }
        for (String segment : lower.replace("%2e", ".").split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw Problem.badRequest("path not allowed");
            }
        }
    }

    static String formField(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
