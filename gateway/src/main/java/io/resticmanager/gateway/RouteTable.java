package io.resticmanager.gateway;

import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's one access table: method + path pattern → who may call it. First match wins; anything under
 * {@code /api} that no rule allows is denied. Patterns: {@code *} is one path segment, a trailing {@code /**}
 * is any number of segments (including none).
 */
final class RouteTable {
    enum Access {
        /** Anyone, no credentials needed. */
        PUBLIC,
        /** A UI page: a browser without a session is redirected to /login. */
        PAGE,
        /** Any authenticated caller (session or API token). */
        AUTHENTICATED,
        VIEWER,
        /**
         * A viewer, or a caller without credentials from the metrics allow-list ({@link MetricsAllowList}).
         * Credentials, when sent, decide alone: a revoked token is refused from an allowed address too.
         */
        SCRAPE,
        OPERATOR,
        ADMIN,
        /** Never routed from outside; answers 404. */
        NOT_FOUND,
        /** Only with the internal service token (agent-hub fetching the gateway's state); 404 for everyone else. */
        INTERNAL,
        /** Not in the table: 401 without credentials, 403 with. */
        DENY;

        Optional<Role> role() {
            return switch (this) {
                case VIEWER, SCRAPE -> Optional.of(Role.VIEWER);
                case OPERATOR -> Optional.of(Role.OPERATOR);
                case ADMIN -> Optional.of(Role.ADMIN);
                default -> Optional.empty();
            };
        }
    }

    /** One row: {@code methods} empty means every method; GET rows also cover HEAD. */
    record Rule(Set<String> methods, String pattern, Access access) {
        boolean matches(String method, String path) {
            return (methods.isEmpty() || methods.contains(method) || method.equals("HEAD") && methods.contains("GET"))
                    && RouteTable.matches(pattern, path);
        }
    }

    private static final Set<String> ANY = Set.of();
    private static final Set<String> GET = Set.of("GET");
    private static final Set<String> POST = Set.of("POST");
    private static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");

    static final RouteTable DEFAULT = new RouteTable(List.of(
            new Rule(GET, "/internal/state", Access.INTERNAL),
            new Rule(ANY, "/internal/**", Access.NOT_FOUND),
            new Rule(GET, "/health", Access.PUBLIC),
            new Rule(POST, "/api/setup", Access.PUBLIC),
            new Rule(POST, "/api/login", Access.PUBLIC),
            new Rule(POST, "/api/logout", Access.AUTHENTICATED),
            new Rule(GET, "/api/me", Access.AUTHENTICATED),
            // the API's description (OpenAPI): the same as the repository's docs, no data; clients read it before
            // they hold a token
            new Rule(GET, OpenApiRoutes.PATH, Access.PUBLIC),
            // the login page asks what to offer; single sign-on starts and returns without a session
            new Rule(GET, "/api/auth/providers", Access.PUBLIC),
            new Rule(ANY, "/api/auth/settings", Access.ADMIN),
            new Rule(GET, "/auth/oidc/login", Access.PUBLIC),
            new Rule(GET, "/auth/oidc/callback", Access.PUBLIC),
            new Rule(ANY, "/api/users/**", Access.ADMIN),
            new Rule(ANY, "/api/tokens/**", Access.ADMIN),
            new Rule(GET, "/api/audit/**", Access.ADMIN),
            // the sealing key's escrow: the crown jewel, admins only (the passphrase is never stored)
            new Rule(ANY, "/api/escrow/**", Access.ADMIN),
            // file search across every host's snapshots: admins; one host's (/api/hosts/*/files) is a viewer GET
            new Rule(GET, "/api/files", Access.ADMIN),
            new Rule(POST, "/api/agents/enroll", Access.PUBLIC),
            // the self backup's state stream: agent-hub checks the agent's credential and that it runs such a job
            new Rule(GET, "/api/agents/state", Access.PUBLIC),
            new Rule(ANY, "/api/enrollment-tokens/**", Access.ADMIN),
            new Rule(POST, "/api/hosts/*/jobs", Access.OPERATOR),
            new Rule(POST, "/api/hosts/*/restores", Access.OPERATOR),
            // what a restore would bring back, counted from the tree index: a read, like browsing the snapshot
            new Rule(POST, "/api/hosts/*/snapshots/*/restore-preview", Access.VIEWER),
            new Rule(POST, "/api/hosts/*/diffs", Access.OPERATOR),
            // a repository's unlock and stats run as jobs on one of its hosts (jobs-service allows only those kinds)
            new Rule(POST, "/api/repos/*/jobs", Access.OPERATOR),
            // a download hands out backed-up content: operators and admins, audited like a state change
            new Rule(POST, "/api/hosts/*/downloads", Access.OPERATOR),
            new Rule(POST, "/api/jobs/*/cancel", Access.OPERATOR),
            // Operators edit schedules and acknowledge alerts; jobs-service double-checks admin-only parts
            // (hooks, notification channels) with InternalAuth.require.
            new Rule(UNSAFE, "/api/schedules/**", Access.OPERATOR),
            new Rule(UNSAFE, "/api/alerts/**", Access.OPERATOR),
            // channels hold webhook secrets, tokens and SMTP passwords: admins only, reading included
            new Rule(ANY, "/api/alert-channels/**", Access.ADMIN),
            // a host's agent replaced by a newer package: admins only (also under the rule below; named so it stays so)
            new Rule(POST, "/api/hosts/update", Access.ADMIN),
            new Rule(POST, "/api/hosts/*/update", Access.ADMIN),
            new Rule(UNSAFE, "/api/hosts/**", Access.ADMIN),
            new Rule(UNSAFE, "/api/repos/**", Access.ADMIN),
            new Rule(UNSAFE, "/api/agents/**", Access.ADMIN),
            new Rule(GET, "/api/**", Access.VIEWER),
            new Rule(ANY, "/api/**", Access.DENY),
            // Prometheus scrapes with an API token or from an allowed address; the page names hosts and repos,
            // so it is never public.
            new Rule(GET, "/metrics", Access.SCRAPE),
            new Rule(GET, "/ws/agent", Access.PUBLIC),
            new Rule(ANY, "/ws/**", Access.NOT_FOUND),
            new Rule(GET, "/install.sh", Access.PUBLIC),
            new Rule(GET, "/install.ps1", Access.PUBLIC),
            new Rule(GET, "/downloads/**", Access.PUBLIC),
            new Rule(ANY, "/login", Access.PUBLIC),
            new Rule(ANY, "/setup", Access.PUBLIC),
            new Rule(GET, "/assets/**", Access.PUBLIC),
            new Rule(GET, "/favicon.ico", Access.PUBLIC),
            new Rule(ANY, "/**", Access.PAGE)));

    private final List<Rule> rules;

    RouteTable(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The first rule matching; the table ends with a catch-all, so there always is one. */
    Rule match(String method, String path) {
        for (Rule rule : rules) {
            if (rule.matches(method, path)) {
                return rule;
            }
        }
        return new Rule(ANY, path, path.startsWith("/api/") ? Access.DENY : Access.PAGE);
    }

    static boolean matches(String pattern, String path) {
        String[] p = segments(pattern);
        String[] s = segments(path);
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals("**") && i == p.length - 1) {
                return true;
            }
            if (i >= s.length) {
                return false;
            }
            if (!p[i].equals("*") && !p[i].equals(s[i])) {
                return false;
            }
        }
        return p.length == s.length;
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
