package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns request credentials into a {@link Caller}: {@code Authorization: Bearer rmt_…} (API token) or the
 * {@code rm_session} cookie. Only hashes are stored; lookups compare hashes, so no secret is compared as text.
 */
final class Authenticator {
    static final String COOKIE = "rm_session";
    static final String API_TOKEN_PREFIX = "rmt_";
    private static final String BEARER = "Bearer ";

    /** A new session: the cookie value (shown once to the browser) and its CSRF token. */
    record NewSession(String cookieValue, String csrfToken) {
    }

    private final SessionStore sessions;
    private final ApiTokenStore tokens;
    private final long idleMillis;
    private final long absoluteMillis;
    private final AtomicInteger created = new AtomicInteger();

    Authenticator(SessionStore sessions, ApiTokenStore tokens, long idleMillis, long absoluteMillis) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.idleMillis = idleMillis;
        this.absoluteMillis = absoluteMillis;
    }

    long absoluteMillis() {
        return absoluteMillis;
    }

    /** True when the request carries something that looks like one of our credentials. */
    static boolean presentsCredentials(Map<String, List<String>> headers) {
        return apiToken(headers).isPresent() || sessionCookie(headers).isPresent();
    }

    Optional<Caller> authenticate(Map<String, List<String>> headers) {
        Optional<String> bearer = apiToken(headers);
        if (bearer.isPresent()) {
            String now = Times.now();
            return tokens.byHash(Tokens.sha256(bearer.get())).filter(f -> !f.token().expired(now)).map(f -> {
                ApiToken t = f.token();
                // coarse, like sessions: one write a minute per token, not one per request
                if (t.lastUsedAt() == null || t.lastUsedAt().compareTo(Times.format(java.time.Instant.now()
                        .minusSeconds(60))) < 0) {
                    tokens.touch(t.id(), now);
                }
                // never more than its owner may do today
                Role role = t.role().atLeast(f.ownerRole()) ? f.ownerRole() : t.role();
                return new Caller(new Principal("token:" + t.id(), "token:" + t.name(), role),
                                  Caller.Kind.API_TOKEN, t.id(), "", "token:" + t.name() + " (" + t.owner() + ")");
            });
        }
        return sessionCookie(headers).flatMap(this::session);
    }

    private Optional<Caller> session(String cookieValue) {
        String hash = Tokens.sha256(cookieValue);
        Optional<SessionStore.Row> found = sessions.find(hash);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SessionStore.Row row = found.get();
        long now = System.currentTimeMillis();
        if (now - row.lastSeenAt() > idleMillis || now - row.createdAt() > absoluteMillis) {
            sessions.delete(hash);
            return Optional.empty();
        }
        // One write per request would serialize every read on SQLite's single writer: touch coarsely.
        if (now - row.lastSeenAt() > Math.min(60_000, idleMillis / 10)) {
            sessions.touch(hash, now);
        }
        User user = row.user();
        return Optional.of(new Caller(new Principal(user.id(), user.username(), user.role()), Caller.Kind.SESSION,
                                      hash, csrfFor(cookieValue), user.username()));
    }

    NewSession createSession(User user, String sourceIp) {
        String cookieValue = Tokens.random("rmc_");
        long now = System.currentTimeMillis();
        sessions.insert(Tokens.sha256(cookieValue), user.id(), now, sourceIp);
        if (created.incrementAndGet() % 100 == 0) {
            sessions.deleteExpired(now - idleMillis, now - absoluteMillis);
        }
        return new NewSession(cookieValue, csrfFor(cookieValue));
    }

    void revoke(Caller caller) {
        if (caller.session()) {
            sessions.delete(caller.credentialId());
        }
    }

    void revokeAll(String userId) {
        sessions.deleteForUser(userId);
    }

    /**
     * The CSRF token is derived from the cookie value (not stored), so a leaked database does not reveal it
     * and the browser can always get it back from {@code /api/me}.
     */
    static String csrfFor(String cookieValue) {
        return Tokens.sha256("csrf:" + cookieValue);
    }

    static Optional<String> apiToken(Map<String, List<String>> headers) {
        return header(headers, "Authorization")
                .filter(v -> v.startsWith(BEARER + API_TOKEN_PREFIX))
                .map(v -> v.substring(BEARER.length()).strip());
    }

    static Optional<String> sessionCookie(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (!e.getKey().equalsIgnoreCase("Cookie")) {
                continue;
            }
            for (String line : e.getValue()) {
                for (String part : line.split(";")) {
                    String p = part.strip();
                    if (p.startsWith(COOKIE + "=") && p.length() > COOKIE.length() + 1) {
                        String value = p.substring(COOKIE.length() + 1);
                        // RFC 6265 allows a quoted cookie-value (java.net.CookieManager sends one)
                        if (value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")) {
                            value = value.substring(1, value.length() - 1);
                        }
                        return Optional.of(value);
                    }
                }
            }
        }
        return Optional.empty();
    }

    static Optional<String> header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().getFirst())
                .findFirst();
    }
}
