package io.resticmanager.gateway;

import io.resticmanager.proto.Role;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Single sign-on settings: role map, default role, URLs, production rules. */
class OidcConfigTest {
    static OidcConfig config(Map<String, String> extra) {
        Map<String, String> map = new java.util.HashMap<>(Map.of(
                "rm.public-url", "https://backup.example.com",
                "rm.gateway.oidc.discovery-url", "https://idp.example.com/realms/main",
                "rm.gateway.oidc.client-id", "rm"));
        map.putAll(extra);
        return OidcConfig.from(OidcLoginTest.config(map)).orElseThrow();
    }

    @Test
    void theHighestMappedRoleWinsAndUnmappedUsersGetTheDefault() {
        OidcConfig c = config(Map.of("rm.gateway.oidc.role-map", "backup-ops=operator, backup-admins = admin ;x=viewer"));
        assertThat(c.roleFor(List.of("x", "backup-admins", "backup-ops")), is(Optional.of(Role.ADMIN)));
        assertThat(c.roleFor(List.of("x")), is(Optional.of(Role.VIEWER)));
        assertThat(c.roleFor(List.of("staff")), is(Optional.empty()));
        assertThat(config(Map.of("rm.gateway.oidc.default-role", "viewer")).roleFor(List.of("staff")),
                   is(Optional.of(Role.VIEWER)));
        // group names are exact: no case folding, no path magic
        assertThat(c.roleFor(List.of("/backup-ops", "Backup-Ops")), is(Optional.empty()));
    }

    @Test
    void urlsComeFromThePublicUrlAndTheIssuerGetsItsWellKnownSuffix() {
        OidcConfig c = config(Map.of());
        assertThat(c.discoveryUrl().toString(), is("https://idp.example.com/realms/main/.well-known/openid-configuration"));
        assertThat(c.redirectUri().toString(), is("https://backup.example.com/auth/oidc/callback"));
        assertThat(c.postLogoutRedirectUri().toString(), is("https://backup.example.com/login?logged_out=1"));
        assertThat(c.scopes(), is(List.of("openid", "profile", "email", "groups")));
        assertThat(c.clientSecret().isEmpty(), is(true));
        assertThat(OidcConfig.from(OidcLoginTest.config(Map.of())).isPresent(), is(false));
    }

    @Test
    void badSettingsStopTheStartWithTheVariableNamed() {
        assertThat(assertThrows(IllegalStateException.class, () -> config(Map.of(
                "rm.gateway.oidc.role-map", "backup-admins=root"))).getMessage(), containsString("RM_OIDC_ROLE_MAP"));
        assertThat(assertThrows(IllegalStateException.class, () -> config(Map.of(
                "rm.gateway.oidc.default-role", "everyone"))).getMessage(), containsString("RM_OIDC_DEFAULT_ROLE"));
        assertThat(assertThrows(IllegalStateException.class, () -> config(Map.of(
                "rm.gateway.oidc.scopes", "profile email"))).getMessage(), containsString("openid"));
        assertThat(assertThrows(IllegalStateException.class, () -> config(Map.of(
                "rm.gateway.oidc.client-id", ""))).getMessage(), containsString("RM_OIDC_CLIENT_ID"));
        assertThat(assertThrows(IllegalStateException.class, () -> config(Map.of(
                "rm.mode", "production", "rm.gateway.oidc.discovery-url", "http://idp.example.com/x")))
                           .getMessage(), containsString("https"));
    }
}
