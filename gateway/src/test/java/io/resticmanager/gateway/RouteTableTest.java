package io.resticmanager.gateway;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class RouteTableTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET, /api/hosts, VIEWER",
            "HEAD, /api/hosts, VIEWER",
            "POST, /api/hosts/h1/jobs, OPERATOR",
            "POST, /api/hosts/h1/downloads, OPERATOR",
            "GET, /api/hosts/h1/downloads, VIEWER",
            "POST, /api/hosts/h1/downloads/x, ADMIN",
            "POST, /api/hosts/h1/jobs/x, ADMIN",
            "PATCH, /api/hosts/h1, ADMIN",
            "POST, /api/users, ADMIN",
            "GET, /api/users, ADMIN",
            "PATCH, /api/users/u1, ADMIN",
            "POST, /api/login, PUBLIC",
            "GET, /api/login, VIEWER",
            "GET, /metrics, SCRAPE",
            "POST, /metrics, PAGE",
            "POST, /api/logout, AUTHENTICATED",
            "GET, /api/openapi.json, PUBLIC",
            "POST, /api/openapi.json, DENY",
            "PUT, /api/whatever, DENY",
            "GET, /internal/agents, NOT_FOUND",
            "GET, /ws/agent, PUBLIC",
            "GET, /ws/other, NOT_FOUND",
            "GET, /downloads/restic-manager-agent.tar.gz, PUBLIC",
            "POST, /downloads/x, PAGE",
            "GET, /assets/css/app.css, PUBLIC",
            "GET, /, PAGE",
            "POST, /hosts/h1/run, PAGE",
            "GET, /api/auth/providers, PUBLIC",
            "POST, /api/auth/providers, DENY",
            "GET, /api/auth/settings, ADMIN",
            "PUT, /api/auth/settings, ADMIN",
            "GET, /auth/oidc/login, PUBLIC",
            "GET, /auth/oidc/callback, PUBLIC",
            "POST, /auth/oidc/callback, PAGE",
            "GET, /auth/oidc/other, PAGE",
    })
    void firstMatchingRuleDecides(String method, String path, RouteTable.Access access) {
        assertThat(RouteTable.DEFAULT.match(method, path).access(), is(access));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
            "/api/**, /api, true",
            "/api/**, /api/a/b/c, true",
            "/api/**, /apix, false",
            "/api/hosts/*/jobs, /api/hosts/h1/jobs, true",
            "/api/hosts/*/jobs, /api/hosts/jobs, false",
            "/api/hosts/*/jobs, /api/hosts/h1/jobs/j2, false",
            "/health, /health/, true",
    })
    void patterns(String pattern, String path, boolean matches) {
        assertThat(RouteTable.matches(pattern, path), is(matches));
    }
}
