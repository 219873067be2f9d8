package io.resticmanager.system;

import io.resticmanager.system.FuzzRoutes.Route;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.resticmanager.system.FuzzValues.chance;
import static io.resticmanager.system.FuzzValues.pick;

/**
 * Random HTTP requests from the route catalogue. {@link #mixed()} may do anything; {@link #refused()} builds only
 * requests that must be refused by construction (the caller lacks the role, the CSRF token is wrong, the body
 * cannot be parsed or is too large, the path or method does not exist), so none of them may write a row.
 */
final class FuzzGen {
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
                                                "CONNECT", "PROPFIND", "get", "FOO", "POST ", "M-SEARCH");
    private static final List<String> UNSAFE = List.of("POST", "PUT", "PATCH", "DELETE", "FOO", "PROPFIND");
    private static final Pattern SLOT = Pattern.compile("\\{([a-z]+)}");
    private static final List<Route> API_WRITES = FuzzRoutes.ALL.stream()
            .filter(r -> !r.method().equals("GET") && r.pattern().startsWith("/api/")).toList();
    /** Writes the gateway lets anyone make (no role, no CSRF): they refuse by their own checks. */
    private static final Set<String> PUBLIC = Set.of("/api/setup", "/api/login", "/api/agents/enroll", "/login",
                                                     "/setup");

    enum Csrf { RIGHT, MISSING, WRONG, DOUBLE }

    private final SplittableRandom r;

    FuzzGen(SplittableRandom r) {
        this.r = r;
    }

    FuzzRequest mixed() {
        Route route = pick(r, FuzzRoutes.ALL);
        if (chance(r, 0.3)) {
            return plausible(route);
        }
        String caller = pick(r, FuzzCaller.NAMES);
        String method = chance(r, 0.7) ? route.method() : pick(r, METHODS);
        String body = body(route, caller.endsWith("-session"));
        Csrf csrf = chance(r, 0.8) ? Csrf.RIGHT : pick(r, List.of(Csrf.MISSING, Csrf.WRONG, Csrf.DOUBLE));
        return request(route, caller, method, mutatePath(path(route, 0.55, method)) + query(), body, csrf, true);
    }

    /**
     * Past the door: an admin or operator, the route's own method, real ids, a valid body or one with a single
     * field gone wrong. This is what reaches the handlers' validation and storage code.
     */
    private FuzzRequest plausible(Route route) {
        String caller = pick(r, List.of("admin-token", "admin-session", "admin-session", "operator-token",
                                        "operator-session"));
        String body = route.json() ? (chance(r, 0.5) ? route.body() : FuzzJson.fieldMutation(r, route.body()))
                : route.body() != null ? FuzzJson.form(r, true) : null;
        return request(route, caller, route.method(), path(route, 0.95, route.method()), body, Csrf.RIGHT, false);
    }

    FuzzRequest refused() {
        return switch (r.nextInt(9)) {
            case 0 -> unauthenticated();
            case 1 -> roleTooLow("viewer", API_WRITES.stream().filter(x -> !PUBLIC.contains(x.pattern())
                    && !x.pattern().equals("/api/logout") && !FuzzRoutes.viewerMay(x)).toList(), true);
            case 2 -> roleTooLow("operator", API_WRITES.stream().filter(FuzzRoutes::adminOnly).toList(), false);
            case 3 -> badCsrf();
            case 4 -> unparsable();
            case 5 -> oversize();
            case 6 -> dotSegments();
            case 7 -> unknownPath();
            default -> wrongMethod();
        };
    }

    /** API reads anyone may make: the sign-in methods the login page offers, the API description. */
    private static final Set<String> PUBLIC_READS = Set.of("/api/auth/providers", "/api/openapi.json");

    private FuzzRequest unauthenticated() {
        Route route = pick(r, FuzzRoutes.ALL.stream().filter(x -> !PUBLIC_READS.contains(x.pattern())).toList());
        String method = chance(r, 0.8) ? route.method() : pick(r, METHODS);
        return request(route, pick(r, List.of("anonymous", "bad-token", "bad-cookie")), method,
                       mutatePath(path(route, 0.6)) + query(), body(route, false), Csrf.WRONG, true);
    }

    /** A viewer (or operator) writing where its role may not; the CSRF token is right, so the role refuses it. */
    private FuzzRequest roleTooLow(String role, List<Route> routes, boolean pages) {
        List<Route> pool = new ArrayList<>(routes);
        if (pages) {
            // UI forms act with the caller's own credentials, so a viewer's form writes nothing either
            FuzzRoutes.ALL.stream().filter(x -> x.ui() && x.method().equals("POST") && !PUBLIC.contains(x.pattern())
                    && !x.pattern().equals("/logout")).forEach(pool::add);
        }
        Route route = pick(r, pool);
        String caller = role + (chance(r, 0.5) ? "-session" : "-token");
        String method = chance(r, 0.8) || route.ui() ? route.method() : pick(r, UNSAFE);
        return request(route, caller, method, path(route, 0.8) + query(), body(route, true), Csrf.RIGHT, true);
    }

    private FuzzRequest badCsrf() {
        List<Route> pool = new ArrayList<>(API_WRITES.stream().filter(x -> !PUBLIC.contains(x.pattern())).toList());
        FuzzRoutes.ALL.stream().filter(x -> x.ui() && x.method().equals("POST") && !PUBLIC.contains(x.pattern()))
                .forEach(pool::add);
        Route route = pick(r, pool);
        String caller = pick(r, List.of("admin-session", "operator-session"));
        String body = route.json() ? FuzzJson.any(r, route.body()) : FuzzJson.form(r, false);
        return request(route, caller, route.method(), path(route, 0.8) + query(), body,
                       pick(r, List.of(Csrf.MISSING, Csrf.WRONG)), false);
    }

    private FuzzRequest unparsable() {
        Route route = pick(r, API_WRITES.stream().filter(Route::json).toList());
        String body = chance(r, 0.7) ? FuzzJson.invalid(r, route.body()) : FuzzJson.nested(r, route.body());
        return request(route, admin(), route.method(), path(route, 0.5) + query(), body, Csrf.RIGHT, true);
    }

    private FuzzRequest oversize() {
        Route route = pick(r, FuzzRoutes.ALL.stream().filter(x -> !x.method().equals("GET")).toList());
        String caller = pick(r, FuzzCaller.NAMES);
        FuzzRequest req = request(route, caller, route.method(), path(route, 0.5),
                                  FuzzJson.huge(r, route.json() ? route.body() : "{}", true), Csrf.RIGHT, false);
        // with a Content-Length the gateway refuses it unread; chunked, only a handler that reads it could
        return new FuzzRequest(req.route(), req.caller(), req.method(), req.target(), req.headers(), req.body(),
                               req.latin1(), req.cutBodyAt(), false);
    }

    /** Dot segments and encoded slashes, around ids that do not exist: refused whatever a normalizer makes of them. */
    private FuzzRequest dotSegments() {
        Route route = pick(r, API_WRITES);
        String p = path(route, 0);
        String attacked = switch (r.nextInt(7)) {
            case 0 -> p + "/..";
            case 1 -> p.replaceFirst("/api/", "/api/./");
            case 2 -> p + "/%2e%2e";
            case 3 -> p.replaceFirst("/api/", "/api/x%2f..%2f");
            case 4 -> p.replaceFirst("/api/", "/api//");
            case 5 -> p + "/..%2f..%2fusers";
            default -> p.replaceFirst("/api/", "/api/x/../");
        };
        return request(route, admin(), route.method(), attacked + query(), body(route, true), Csrf.RIGHT, true);
    }

    private FuzzRequest unknownPath() {
        StringBuilder p = new StringBuilder(pick(r, List.of("/api/", "/internal/", "/ws/", "/api/v2/", "/")));
        p.append("fz-").append(Integer.toHexString(r.nextInt()));
        for (int i = r.nextInt(3); i > 0; i--) {
            p.append('/').append(chance(r, 0.5) ? FuzzValues.uuid(r) : pick(r, FuzzValues.SEGMENTS));
        }
        Route route = new Route(pick(r, UNSAFE), p.toString(), "{}");
        return request(route, admin(), route.method(), p + query(), FuzzJson.any(r, "{\"a\":1}"), Csrf.RIGHT, true);
    }

    private FuzzRequest wrongMethod() {
        Route route = pick(r, FuzzRoutes.ALL);
        Set<String> registered = FuzzRoutes.methodsOf(route.pattern());
        List<String> others = UNSAFE.stream().filter(m -> !registered.contains(m)).toList();
        if (others.isEmpty()) {
            return unknownPath();
        }
        String body = route.json() ? FuzzJson.any(r, route.body()) : route.body() == null ? null
                : FuzzJson.form(r, true);
        return request(route, admin(), pick(r, others), realPath(route) + query(), body, Csrf.RIGHT, true);
    }

    private String admin() {
        return chance(r, 0.5) ? "admin-token" : "admin-session";
    }

    private String body(Route route, boolean csrfField) {
        if (route.json()) {
            return FuzzJson.any(r, route.body());
        }
        if (route.body() != null) {
            return FuzzJson.form(r, csrfField && chance(r, 0.85));
        }
        return chance(r, 0.1) ? FuzzJson.any(r, "{\"a\":1}") : null;
    }

    String path(Route route, double real) {
        return path(route, real, route.method());
    }

    /**
     * The route's path with each slot filled: a real id with probability {@code real}, else something hostile. A
     * DELETE aims at the sacrificial copies.
     */
    String path(Route route, double real, String method) {
        Matcher m = SLOT.matcher(route.pattern());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String slot = m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement(method.equals("DELETE") && r.nextDouble() < real
                    ? pick(r, FuzzRoutes.doomed(slot)) : segment(slot, real)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String realPath(Route route) {
        Matcher m = SLOT.matcher(route.pattern());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(chance(r, 0.7) ? pick(r, FuzzRoutes.real(m.group(1)))
                    : FuzzValues.uuid(r)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String segment(String slot, double real) {
        double p = r.nextDouble();
        if (p < real) {
            return pick(r, FuzzRoutes.real(slot));
        }
        if (p < real + 0.05 && !slot.equals("any")) {
            return pick(r, FuzzRoutes.real(pick(r, List.of("host", "repo", "job", "schedule", "alert", "user"))));
        }
        if (p < real + 0.15) {
            return FuzzValues.uuid(r);
        }
        return pick(r, FuzzValues.SEGMENTS);
    }

    private String mutatePath(String p) {
        if (!chance(r, 0.08)) {
            return p;
        }
        return switch (r.nextInt(12)) {
            case 0 -> p + "/";
            case 1 -> "/" + p;
            case 2 -> p.toUpperCase(java.util.Locale.ROOT);
            case 3 -> p.replaceFirst("/", "/./");
            case 4 -> p + "/..";
            case 5 -> p + "/" + pick(r, FuzzValues.SEGMENTS);
            case 6 -> p + ";jsessionid=x";
            case 7 -> "http://evil.example" + p;
            case 8 -> p + "#frag";
            case 9 -> "*";
            case 10 -> p.replace("/", "//");
            default -> p + "/%2e%2e/%2e%2e/api/users";
        };
    }

    private String query() {
        int kind = r.nextInt(100);
        if (kind < 55) {
            return "";
        }
        if (kind < 58) {
            return "?" + "q=" + "x".repeat(64 * 1024);
        }
        if (kind < 61) {
            return pick(r, List.of("?", "?&&&", "?=", "?a", "?%", "?a=%zz", "?a=1&a=2&a=3", "?%00=%00", "?;"));
        }
        StringBuilder q = new StringBuilder("?");
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
            String key = pick(r, FuzzValues.QUERY_KEYS);
            int repeat = chance(r, 0.1) ? 2 + r.nextInt(20) : 1;
            for (int j = 0; j < repeat; j++) {
                q.append(q.length() > 1 ? "&" : "").append(key).append('=').append(pick(r, FuzzValues.QUERY_VALUES));
            }
        }
        return q.toString();
    }

    /** Headers: a content type (usually the right one), the CSRF token as told, and now and then something odd. */
    private FuzzRequest request(Route route, String caller, String method, String target, String body, Csrf csrf,
                                boolean oddHeaders) {
        List<String[]> h = new ArrayList<>();
        if (body != null && !chance(r, 0.05)) {
            String type = route.body() == FuzzRoutes.FORM || route.ui() ? "application/x-www-form-urlencoded"
                    : "application/json";
            h.add(new String[] {"Content-Type", chance(r, 0.8) ? type : pick(r, FuzzValues.CONTENT_TYPES)});
        }
        if (caller.endsWith("-session")) {
            switch (csrf) {
                case RIGHT -> h.add(new String[] {"X-CSRF-Token", "{{csrf}}"});
                case WRONG -> h.add(new String[] {"X-CSRF-Token", pick(r, List.of("0".repeat(64), "", "x", "%00",
                                                                                   FuzzValues.TEN_KB))});
                case DOUBLE -> {
                    h.add(new String[] {"X-CSRF-Token", "0".repeat(64)});
                    h.add(new String[] {"X-CSRF-Token", "{{csrf}}"});
                }
                default -> {
                }
            }
        }
        if (oddHeaders) {
            while (chance(r, 0.25)) {
                h.addAll(oddHeader());
            }
        }
        boolean latin1 = body != null && chance(r, 0.03);
        String sent = latin1 ? body + "\u00ff\u00fe\u00c0\u0080" : body;
        int cut = body != null && chance(r, 0.02) ? r.nextInt(Math.max(1, body.length())) : -1;
        boolean chunked = body != null && cut < 0 && chance(r, 0.04);
        return new FuzzRequest(route.name(), caller, method, target, h, sent, latin1, cut, chunked);
    }

    private List<String[]> oddHeader() {
        return switch (r.nextInt(20)) {
            case 0 -> List.<String[]>of(h("Cookie", "rm_session=" + "c".repeat(pick(r, List.of(8 * 1024, 20 * 1024, 70 * 1024)))));
            case 1 -> List.<String[]>of(h("Cookie", "rm_session=rmc_fake; rm_session=\"quoted\""), h("Cookie", "a=b; ; ;="));
            case 2 -> List.<String[]>of(h("Authorization", "Bearer rmt_" + FuzzValues.uuid(r)), h("Authorization", "Basic YTpi"));
            case 3 -> List.<String[]>of(h("X-RM-Principal", "{\"user_id\":\"x\",\"username\":\"root\",\"role\":\"admin\"}"),
                              h("X-RM-Internal-Token", "forged"));
            case 4 -> List.<String[]>of(h("X-Forwarded-For", pick(r, List.of("1.2.3.4, 127.0.0.1", "garbage", "::1",
                                                                    "x".repeat(9000)))),
                              h("X-Forwarded-Proto", "https"));
            case 5 -> List.<String[]>of(h("Origin", pick(r, List.of("https://evil.example", "null", "", "http://127.0.0.1"))));
            case 6 -> List.<String[]>of(h("Sec-Fetch-Site", "cross-site"), h("Referer", "https://evil.example/x"));
            case 7 -> List.<String[]>of(h("Accept", pick(r, List.of("text/html", "application/json", "*/*;q=0", "x/y",
                                                          "text/event-stream", ""))));
            case 8 -> List.<String[]>of(h("Range", "bytes=0-1,5-"), h("If-None-Match", "*"));
            case 9 -> List.<String[]>of(h("Expect", "100-continue"));
            case 10 -> List.<String[]>of(h("Upgrade", "websocket"), h("Connection", "Upgrade"),
                               h("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), h("Sec-WebSocket-Version", "13"));
            case 11 -> List.<String[]>of(h("Content-Length", "5"), h("Content-Length", "6"));
            case 12 -> List.<String[]>of(h("Content-Length", pick(r, List.of("-1", "abc", "99999999999999999999",
                                                                      "2000000"))));
            case 13 -> List.<String[]>of(h("Transfer-Encoding", pick(r, List.of("gzip", "chunked, identity", "x"))));
            case 14 -> List.<String[]>of(h("Host", pick(r, List.of("evil.example", "", "x".repeat(5000), "a b"))));
            case 15 -> List.<String[]>of(h("Content-Type", "application/json"), h("Content-Type", "text/plain"));
            case 16 -> List.<String[]>of(h("X-" + "A".repeat(300), "1"), h("Ü-Header", "ü"));
            case 17 -> List.<String[]>of(h("Accept-Encoding", "gzip, deflate, br"), h("Accept-Language", "*;q=x"));
            case 18 -> List.<String[]>of(h("Content-Encoding", "gzip"));
            default -> List.<String[]>of(h("X-Empty", ""), h("Cookie", ""));
        };
    }

    private static String[] h(String name, String value) {
        return new String[] {name, value};
    }
}
