package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A small OpenID Connect relying party for the authorization-code flow: discovery, the authorization URL (PKCE
 * S256, {@code state}, {@code nonce}), the code exchange, and the ID-token checks — signature against the
 * provider's JWKS (a token signed with a key we have not seen makes us fetch the JWKS again, so key rotation just
 * works), issuer, audience ({@code azp} when there are several), expiry / issued-at / not-before with a small clock
 * skew, and the nonce. Groups (and the user name) missing from the ID token are read from the userinfo endpoint.
 * Every refusal is an {@link Refusal} with a reason that is safe to audit (never a token or the secret).
 */
final class OidcClient {
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
                                                       JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
                                                       JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Duration DISCOVERY_RETRY = Duration.ofSeconds(10);
    private static final Duration DISCOVERY_MAX_AGE = Duration.ofHours(1);

    /** The parts of the provider's discovery document we use. */
    record Discovery(String issuer, URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri,
                     Optional<URI> userinfoEndpoint, Optional<URI> endSessionEndpoint, boolean clientSecretPost) {
    }

    /** One login in progress: what the callback must find again. */
    record Pending(String state, String nonce, String codeVerifier, long createdAt) {
        static Pending create(long now) {
            return new Pending(Tokens.random(""), Tokens.random(""), Tokens.random("") + Tokens.random(""), now);
        }

        String codeChallenge() {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256")
                        .digest(codeVerifier.getBytes(StandardCharsets.US_ASCII));
                return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Who the provider says logged in. */
    record Identity(String issuer, String subject, String username, List<String> groups) {
    }

    /** The login is refused; {@code reason} goes to the audit log, {@code code} to the login page. */
    static final class Refusal extends RuntimeException {
        final String code;

        Refusal(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }

        String reason() {
            return getMessage();
        }
    }

    private final OidcConfig config;
    private final HttpClient http;
    private final Clock clock;
    private volatile Discovery discovery;
    private volatile Instant discoveredAt = Instant.EPOCH;
    private volatile Instant discoveryFailedAt = Instant.EPOCH;
    private final Jwks jwks;

    OidcClient(OidcConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.httpTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.jwks = new Jwks(() -> discovery().jwksUri(), this::getJson, clock);
    }

    OidcConfig config() {
        return config;
    }

    /** The discovery document, fetched on first use and again hourly; a provider that was down is asked again. */
    Discovery discovery() {
        Discovery d = discovery;
        Instant now = clock.instant();
        if (d != null && now.isBefore(discoveredAt.plus(DISCOVERY_MAX_AGE))) {
            return d;
        }
        synchronized (this) {
            if (discovery != null && now.isBefore(discoveredAt.plus(DISCOVERY_MAX_AGE))) {
                return discovery;
            }
            if (discovery == null && now.isBefore(discoveryFailedAt.plus(DISCOVERY_RETRY))
                    && !discoveryFailedAt.equals(Instant.EPOCH)) {
                throw new Refusal("unavailable", "provider discovery failed recently; retrying in a few seconds");
            }
            try {
                discovery = parseDiscovery(getJson(config.discoveryUrl()));
                discoveredAt = now;
                return discovery;
            } catch (Refusal e) {
                discoveryFailedAt = now;
                if (discovery != null) {
                    return discovery; // keep the last good document while the provider is down
                }
                throw e;
            }
        }
    }

    /** The discovery document if it could be had, without waiting for a provider that failed recently. */
    Optional<Discovery> discoveryIfAvailable() {
        try {
            return Optional.of(discovery());
        } catch (Refusal e) {
            return Optional.empty();
        }
    }

    private Discovery parseDiscovery(JsonNode doc) {
        String issuer = doc.path("issuer").asText("");
        String expected = config.discoveryUrl().toString();
        String wellKnown = "/.well-known/openid-configuration";
        // OpenID Connect Discovery 4.3: the issuer is the URL the document was fetched from, minus the suffix
        if (issuer.isEmpty() || !(expected.endsWith(wellKnown)
                && (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                .equals(expected.substring(0, expected.length() - wellKnown.length())))) {
            throw new Refusal("unavailable", "discovery document's issuer \"" + bounded(issuer)
                    + "\" does not match the discovery URL " + expected);
        }
        List<String> methods = new ArrayList<>();
        doc.path("token_endpoint_auth_methods_supported").forEach(n -> methods.add(n.asText()));
        boolean post = !methods.isEmpty() && !methods.contains("client_secret_basic")
                && methods.contains("client_secret_post");
        return new Discovery(issuer, endpoint(doc, "authorization_endpoint"), endpoint(doc, "token_endpoint"),
                             endpoint(doc, "jwks_uri"), optionalEndpoint(doc, "userinfo_endpoint"),
                             optionalEndpoint(doc, "end_session_endpoint"), post);
    }

    private static URI endpoint(JsonNode doc, String name) {
        return optionalEndpoint(doc, name)
                .orElseThrow(() -> new Refusal("unavailable", "discovery document has no " + name));
    }

    private static Optional<URI> optionalEndpoint(JsonNode doc, String name) {
        String value = doc.path(name).asText("");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(value);
            return uri.getHost() == null ? Optional.empty() : Optional.of(uri);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Where to send the browser to log in. */
    URI authorizationUrl(Pending pending) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", config.clientId());
        q.put("redirect_uri", config.redirectUri().toString());
        q.put("scope", String.join(" ", config.scopes()));
        q.put("state", pending.state());
        q.put("nonce", pending.nonce());
        q.put("code_challenge", pending.codeChallenge());
        q.put("code_challenge_method", "S256");
        URI endpoint = discovery().authorizationEndpoint();
        String sep = endpoint.getRawQuery() == null ? "?" : "&";
        return URI.create(endpoint + sep + form(q));
    }

    /**
     * The provider's end-session URL for a browser to visit after our logout, when it has one. {@code fetch} false
     * answers from the cached discovery document only (the login page must not wait for a provider that is down).
     */
    Optional<String> endSessionUrl(boolean fetch) {
        Optional<Discovery> d = fetch ? discoveryIfAvailable() : Optional.ofNullable(discovery);
        return d.flatMap(Discovery::endSessionEndpoint).map(e -> {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("client_id", config.clientId());
            q.put("post_logout_redirect_uri", config.postLogoutRedirectUri().toString());
            return e + (e.getRawQuery() == null ? "?" : "&") + form(q);
        });
    }

    /** Exchanges the code, checks the ID token and returns who logged in; throws {@link Refusal}. */
    Identity complete(String code, Pending pending) {
        Discovery d = discovery();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", config.redirectUri().toString());
        body.put("code_verifier", pending.codeVerifier());
        HttpRequest.Builder req = HttpRequest.newBuilder(d.tokenEndpoint()).timeout(config.httpTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        if (config.clientSecret().isEmpty()) {
            body.put("client_id", config.clientId());
        } else if (d.clientSecretPost()) {
            body.put("client_id", config.clientId());
            body.put("client_secret", config.clientSecret().reveal());
        } else {
            // RFC 6749 2.3.1: both parts form-encoded before Basic
            String pair = URLEncoder.encode(config.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(config.clientSecret().reveal(), StandardCharsets.UTF_8);
            req.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> res = send(req.POST(HttpRequest.BodyPublishers.ofString(form(body))).build(),
                                        "token endpoint");
        JsonNode tokens = json(res.body(), "token endpoint");
        if (res.statusCode() != 200) {
            throw new Refusal("failed", "token endpoint refused the code (" + res.statusCode() + " "
                    + bounded(tokens.path("error").asText("")) + ")");
        }
        String idToken = tokens.path("id_token").asText("");
        if (idToken.isEmpty()) {
            throw new Refusal("failed", "token response has no id_token");
        }
        JWTClaimsSet claims = verify(idToken, d, pending.nonce());
        Map<String, Object> all = new LinkedHashMap<>(claims.getClaims());
        if (claim(all, config.groupsClaim()).isEmpty() || claim(all, config.usernameClaim()).isEmpty()) {
            String accessToken = tokens.path("access_token").asText("");
            if (d.userinfoEndpoint().isPresent() && !accessToken.isEmpty()) {
                userinfo(d.userinfoEndpoint().get(), accessToken, claims.getSubject()).forEach(all::putIfAbsent);
            }
        }
        return new Identity(claims.getIssuer(), claims.getSubject(), username(all, claims.getSubject()),
                            groups(all));
    }

    /** The ID-token checks of OpenID Connect Core 3.1.3.7, with reasons. */
    JWTClaimsSet verify(String idToken, Discovery d, String nonce) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(idToken);
        } catch (ParseException e) {
            throw new Refusal("failed", "id_token is not a signed JWT");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(alg)) {
            throw new Refusal("failed", "id_token signed with " + alg + ", which we do not accept");
        }
        List<JWK> candidates = jwks.keysFor(jwt.getHeader().getKeyID(), alg);
        if (candidates.isEmpty()) {
            throw new Refusal("failed", "id_token signed by a key the provider does not publish (kid "
                    + bounded(String.valueOf(jwt.getHeader().getKeyID())) + ")");
        }
        if (!verifiedByAny(jwt, candidates)) {
            throw new Refusal("failed", "id_token signature does not verify with the provider's key");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Refusal("failed", "id_token claims are not valid JSON");
        }
        if (!d.issuer().equals(claims.getIssuer())) {
            throw new Refusal("failed", "id_token issuer \"" + bounded(String.valueOf(claims.getIssuer()))
                    + "\" is not " + d.issuer());
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(config.clientId())) {
            throw new Refusal("failed", "id_token audience " + bounded(String.valueOf(aud)) + " does not include "
                    + config.clientId());
        }
        Object azp = claims.getClaim("azp");
        if (azp != null && !config.clientId().equals(azp)) {
            throw new Refusal("failed", "id_token authorized party \"" + bounded(String.valueOf(azp)) + "\" is not "
                    + config.clientId());
        }
        if (aud.size() > 1 && azp == null) {
            throw new Refusal("failed", "id_token has several audiences and no authorized party (azp)");
        }
        Instant now = clock.instant();
        long skew = config.clockSkew().toSeconds();
        Date exp = claims.getExpirationTime();
        if (exp == null || !now.isBefore(exp.toInstant().plusSeconds(skew))) {
            throw new Refusal("failed", "id_token expired" + (exp == null ? " (no exp)" : " at " + exp.toInstant()));
        }
        Date iat = claims.getIssueTime();
        if (iat == null || iat.toInstant().isAfter(now.plusSeconds(skew))) {
            throw new Refusal("failed", "id_token issued in the future" + (iat == null ? " (no iat)" : ""));
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plusSeconds(skew))) {
            throw new Refusal("failed", "id_token not valid yet");
        }
        Object tokenNonce = claims.getClaim("nonce");
        if (!(tokenNonce instanceof String n) || !Tokens.same(n, nonce)) {
            throw new Refusal("failed", "id_token nonce does not match this login");
        }
        if (claims.getSubject() == null || claims.getSubject().isBlank()) {
            throw new Refusal("failed", "id_token has no subject");
        }
        return claims;
    }

    private static boolean verifiedByAny(SignedJWT jwt, List<JWK> keys) {
        DefaultJWSVerifierFactory factory = new DefaultJWSVerifierFactory();
        for (JWK key : keys) {
            try {
                PublicKey pk = key instanceof RSAKey rsa ? rsa.toPublicKey()
                        : key instanceof ECKey ec ? ec.toPublicKey() : null;
                if (pk == null) {
                    continue;
                }
                JWSVerifier verifier = factory.createJWSVerifier(jwt.getHeader(), pk);
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // wrong key type for this algorithm: try the next key
            }
        }
        return false;
    }

    private Map<String, Object> userinfo(URI endpoint, String accessToken, String subject) {
        HttpResponse<String> res = send(HttpRequest.newBuilder(endpoint).timeout(config.httpTimeout())
                                                .header("Authorization", "Bearer " + accessToken)
                                                .header("Accept", "application/json").GET().build(), "userinfo");
        if (res.statusCode() != 200) {
            throw new Refusal("failed", "userinfo endpoint answered " + res.statusCode());
        }
        JsonNode doc = json(res.body(), "userinfo");
        if (!subject.equals(doc.path("sub").asText(""))) {
            throw new Refusal("failed", "userinfo is about another subject");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Json.MAPPER.convertValue(doc, Map.class);
        return map;
    }

    /** A claim by name, or by a dotted path into nested objects (Keycloak's {@code realm_access.roles}). */
    static Optional<Object> claim(Map<String, Object> claims, String name) {
        if (claims.containsKey(name)) {
            return Optional.ofNullable(claims.get(name));
        }
        Object current = claims;
        for (String part : name.split("\\.")) {
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(part)) {
                return Optional.empty();
            }
            current = m.get(part);
        }
        return Optional.ofNullable(current);
    }

    List<String> groups(Map<String, Object> claims) {
        Object value = claim(claims, config.groupsClaim()).orElse(null);
        List<String> groups = new ArrayList<>();
        if (value instanceof Iterable<?> list) {
            list.forEach(g -> {
                if (g != null) {
                    groups.add(g.toString());
                }
            });
        } else if (value instanceof String s && !s.isBlank()) {
            groups.add(s);
        }
        return List.copyOf(groups);
    }

    private String username(Map<String, Object> claims, String subject) {
        for (String name : List.of(config.usernameClaim(), "preferred_username", "email")) {
            Object v = claim(claims, name).orElse(null);
            if (v instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return subject;
    }

    JsonNode getJson(URI uri) {
        HttpResponse<String> res = send(HttpRequest.newBuilder(uri).timeout(config.httpTimeout())
                                                .header("Accept", "application/json").GET().build(), uri.getPath());
        if (res.statusCode() != 200) {
            throw new Refusal("unavailable", "provider answered " + res.statusCode() + " for " + uri);
        }
        return json(res.body(), uri.toString());
    }

    private HttpResponse<String> send(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Refusal("unavailable", "provider unreachable (" + what + "): " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal("unavailable", "interrupted");
        }
    }

    private static JsonNode json(String body, String what) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException | RuntimeException e) {
            throw new Refusal("failed", what + " did not answer JSON");
        }
    }

    static String form(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return sb.toString();
    }

    static String bounded(String text) {
        String t = text.replaceAll("[\\p{Cntrl}]", "?");
        return t.length() > 120 ? t.substring(0, 120) + "…" : t;
    }
}
