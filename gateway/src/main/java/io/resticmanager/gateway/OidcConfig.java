package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.resticmanager.common.Hosts;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Role;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Single sign-on settings ({@code rm.gateway.oidc.*}, {@code RM_OIDC_*}). Off unless a discovery URL is set. The
 * client secret is either sealed with the server's secret key ({@code RM_OIDC_CLIENT_SECRET=v1.…}, made by
 * {@link SealSecret}) or read from a file ({@code RM_OIDC_CLIENT_SECRET_FILE}); it is never printed, not even by
 * {@link #toString()}.
 *
 * @param discoveryUrl       the provider's {@code .well-known/openid-configuration} (an issuer URL gets it appended)
 * @param roleMap            group → role; a user with several mapped groups gets the highest role
 * @param defaultRole        the role of a user none of whose groups is mapped; empty refuses them
 * @param clockSkew          tolerance for {@code exp}, {@code iat} and {@code nbf}
 */
record OidcConfig(String name, URI discoveryUrl, String clientId, Secret clientSecret, List<String> scopes,
                  String groupsClaim, String usernameClaim, Map<String, Role> roleMap, Optional<Role> defaultRole,
                  URI redirectUri, URI postLogoutRedirectUri, Duration clockSkew, Duration httpTimeout) {
    static final String CALLBACK_PATH = "/auth/oidc/callback";
    static final String LOGIN_PATH = "/auth/oidc/login";
    static final String SECRET_CONTEXT = "oidc:client-secret";

    /** A secret that does not print itself. */
    static final class Secret {
        private final String value;

        Secret(String value) {
            this.value = value;
        }

        String reveal() {
            return value;
        }

        boolean isEmpty() {
            return value.isEmpty();
        }

        @Override
        public String toString() {
            return value.isEmpty() ? "(none)" : "(secret)";
        }
    }

    /** The single sign-on settings, or empty when {@code rm.gateway.oidc.discovery-url} is not set. */
    static Optional<OidcConfig> from(Config config) {
        Config c = config.get("rm.gateway.oidc");
        String discovery = c.get("discovery-url").asString().orElse("").strip();
        if (discovery.isEmpty()) {
            return Optional.empty();
        }
        URI discoveryUrl = discoveryUrl(discovery);
        if (!RmConfig.localMode(config) && !"https".equalsIgnoreCase(discoveryUrl.getScheme())
                && !Hosts.loopback(discoveryUrl.getHost())) {
            throw new IllegalStateException("RM_MODE=production needs an https:// RM_OIDC_DISCOVERY_URL (got \""
                                                    + discovery + "\"): the provider's keys are fetched from it");
        }
        String clientId = c.get("client-id").asString().orElse("").strip();
        if (clientId.isEmpty()) {
            throw new IllegalStateException("single sign-on needs RM_OIDC_CLIENT_ID (rm.gateway.oidc.client-id)");
        }
        Secret secret = secret(config, c);
        String publicUrl = config.get("rm.public-url").asString().orElse("").strip();
        URI redirect = uri(c.get("redirect-uri").asString().orElse(""), publicUrl, CALLBACK_PATH, "RM_OIDC_REDIRECT_URI");
        URI postLogout = uri(c.get("post-logout-redirect-uri").asString().orElse(""), publicUrl,
                             "/login?logged_out=1", "RM_OIDC_POST_LOGOUT_REDIRECT_URI");
        List<String> scopes = List.of(c.get("scopes").asString().orElse("openid profile email groups").strip()
                                              .split("[\\s,]+"));
        if (!scopes.contains("openid")) {
            throw new IllegalStateException("RM_OIDC_SCOPES must include openid (got " + scopes + ")");
        }
        return Optional.of(new OidcConfig(
                c.get("name").asString().orElse("single sign-on").strip(), discoveryUrl, clientId, secret, scopes,
                c.get("groups-claim").asString().orElse("groups").strip(),
                c.get("username-claim").asString().orElse("preferred_username").strip(),
                roleMap(c.get("role-map").asString().orElse("")),
                defaultRole(c.get("default-role").asString().orElse("none")),
                redirect, postLogout,
                Duration.ofSeconds(c.get("clock-skew-s").asLong().orElse(60L)),
                Duration.ofMillis(c.get("http-timeout-ms").asLong().orElse(5000L))));
    }

    /** {@code backup-admins=admin, backup-ops=operator} → a map; a role that does not exist stops the start. */
    static Map<String, Role> roleMap(String text) {
        Map<String, Role> map = new LinkedHashMap<>();
        for (String pair : text.split("[,;\\n]")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.lastIndexOf('=');
            if (eq < 1) {
                throw new IllegalStateException("RM_OIDC_ROLE_MAP: \"" + pair.strip() + "\" is not group=role");
            }
            map.put(pair.substring(0, eq).strip(), role(pair.substring(eq + 1), "RM_OIDC_ROLE_MAP"));
        }
        return Map.copyOf(map);
    }

    static Optional<Role> defaultRole(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return t.isEmpty() || t.equals("none") ? Optional.empty() : Optional.of(role(t, "RM_OIDC_DEFAULT_ROLE"));
    }

    private static Role role(String text, String variable) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (Role r : Role.values()) {
            if (r.wire().equals(t)) {
                return r;
            }
        }
        throw new IllegalStateException(variable + ": unknown role \"" + text.strip()
                                                + "\" (admin, operator or viewer" + (variable.endsWith("DEFAULT_ROLE")
                ? ", or none to refuse" : "") + ")");
    }

    /** The highest role any of the groups maps to, else the default role (empty: refused). */
    Optional<Role> roleFor(Collection<String> groups) {
        Role best = null;
        for (String g : groups) {
            Role r = roleMap.get(g);
            if (r != null && (best == null || r.atLeast(best))) {
                best = r;
            }
        }
        return best != null ? Optional.of(best) : defaultRole;
    }

    private static Secret secret(Config root, Config c) {
        String file = c.get("client-secret-file").asString().orElse("").strip();
        String sealed = c.get("client-secret").asString().orElse("").strip();
        if (!file.isEmpty() && !sealed.isEmpty()) {
            throw new IllegalStateException("set RM_OIDC_CLIENT_SECRET or RM_OIDC_CLIENT_SECRET_FILE, not both");
        }
        if (!file.isEmpty()) {
            try {
                String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    throw new IllegalStateException("RM_OIDC_CLIENT_SECRET_FILE " + file + " is empty");
                }
                return new Secret(value);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read RM_OIDC_CLIENT_SECRET_FILE " + file, e);
            }
        }
        if (sealed.isEmpty()) {
            return new Secret(""); // a public client: PKCE alone
        }
        if (!sealed.startsWith("v1.")) {
            throw new IllegalStateException("RM_OIDC_CLIENT_SECRET must be sealed with the server's key (v1.…; "
                    + "see docs/OIDC.md, SealSecret) or given as a file with RM_OIDC_CLIENT_SECRET_FILE");
        }
        try {
            return new Secret(SecretBox.fromConfig(root).open(sealed, SECRET_CONTEXT));
        } catch (RuntimeException e) {
            throw new IllegalStateException("RM_OIDC_CLIENT_SECRET cannot be opened with the server's secret key "
                                                    + "(sealed with another key?)");
        }
    }

    static URI discoveryUrl(String text) {
        URI uri = parse(text, "RM_OIDC_DISCOVERY_URL");
        if (uri.getPath() != null && uri.getPath().contains("/.well-known/")) {
            return uri;
        }
        String base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        return parse(base + "/.well-known/openid-configuration", "RM_OIDC_DISCOVERY_URL");
    }

    private static URI uri(String explicit, String publicUrl, String path, String variable) {
        if (!explicit.isBlank()) {
            return parse(explicit.strip(), variable);
        }
        if (publicUrl.isEmpty()) {
            throw new IllegalStateException("single sign-on needs RM_PUBLIC_URL (or " + variable + ")");
        }
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        return parse(base + path, "RM_PUBLIC_URL");
    }

    private static URI parse(String text, String variable) {
        try {
            URI uri = URI.create(text);
            if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(variable + " is not a valid http(s) URL: " + text);
        }
    }
}
