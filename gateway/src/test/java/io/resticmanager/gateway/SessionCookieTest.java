package io.resticmanager.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class SessionCookieTest {
    @Test
    void readsPlainAndQuotedCookieValues() {
        assertThat(Authenticator.sessionCookie(Map.of("Cookie", List.of("a=b; rm_session=rmc_x"))), is(Optional.of("rmc_x")));
        // java.net.CookieManager sends RFC 2965 style: $Version and a quoted value
        assertThat(Authenticator.sessionCookie(Map.of("cookie", List.of("$Version=\"1\"; rm_session=\"rmc_y\"; $Path=\"/\""))),
                   is(Optional.of("rmc_y")));
        assertThat(Authenticator.sessionCookie(Map.of("Cookie", List.of("rm_session="))), is(Optional.empty()));
    }
}
