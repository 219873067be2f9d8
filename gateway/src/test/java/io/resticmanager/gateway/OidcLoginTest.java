package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.resticmanager.proto.Json;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * Single sign-on against a real OpenID Connect provider running in this process (mock-oauth2-server: discovery,
 * JWKS, authorization-code flow with PKCE and nonce): the gateway's login redirect, the provider's code, the
 * callback, the session — and every way a login must be refused, each audited with its reason.
 */
class OidcLoginTest {
    static final String ISSUER_ID = "idp";
    static final String CLIENT_ID = "restic-manager";
    static final String CLIENT_SECRET = "oidc-client-secret-7d1f";
    private MockOAuth2Server idp;
    /** A token response the provider's token endpoint gives once instead of its own (a forged ID token). */
    private final AtomicReference<String> forged = new AtomicReference<>();

    /** Answers the next token request with {@link #forged}, when a test put something there. */
    record ForgedTokenRoute(AtomicReference<String> forged) implements Route {
        @Override
        public boolean match(OAuth2HttpRequest request) {
            return forged.get() != null && request.getMethod().equals("POST")
                    && request.getUrl().encodedPath().endsWith("/token");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200,
                                          forged.getAndSet(null), null);
        }
    }
    private TestStack stack;

    /** A browser in the middle of a login: the state cookie and where the provider sent it back. */
    record Flow(String stateCookie, String state, String nonce, String code, URI authorize) {
    }

    /** The callback's answer: where it sends the browser and the session cookie (if any). */
    record Landing(int status, String location, String sessionCookie) {
        String ssoError() {
            return location.contains("sso_error=") ? location.substring(location.indexOf("sso_error=") + 10) : "";
        }
    }

    /** A provider per test: its queues of token callbacks and canned responses must not leak between tests. */
    @BeforeEach
    void startProvider() throws Exception {
        idp = new MockOAuth2Server(new OAuth2Config(), new ForgedTokenRoute(forged));
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
        idp.shutdown();
    }

    TestStack start(Map<String, String> extra) throws Exception {
        Path secret = Files.createTempFile("oidc-secret", ".txt");
        Files.writeString(secret, CLIENT_SECRET + "\n");
        Map<String, String> config = new HashMap<>();
        config.put("rm.public-url", "http://127.0.0.1:8080");
        config.put("rm.gateway.oidc.discovery-url", idp.wellKnownUrl(ISSUER_ID).toString());
        config.put("rm.gateway.oidc.client-id", CLIENT_ID);
        config.put("rm.gateway.oidc.client-secret-file", secret.toString());
        config.put("rm.gateway.oidc.name", "Mock IdP");
        config.put("rm.gateway.oidc.role-map", "backup-admins=admin, backup-ops=operator, backup-viewers=viewer");
        config.putAll(extra);
        stack = new TestStack(config);
        return stack;
    }

    TestStack start() throws Exception {
        return start(Map.of());
    }

    /** GET /auth/oidc/login, then the provider's authorize endpoint (no interaction): the code and state. */
    Flow begin(String subject, Map<String, Object> claims) {
        HttpResponse<String> login = stack.send("GET", "/auth/oidc/login", null);
        assertThat(login.body(), login.statusCode(), is(303));
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie, containsString("HttpOnly"));
        assertThat(cookie, containsString("Path=/auth/oidc"));
        URI authorize = URI.create(login.headers().firstValue("Location").orElseThrow());
        Map<String, String> q = query(authorize);
        assertThat(q.get("code_challenge_method"), is("S256"));
        assertThat(q.get("client_id"), is(CLIENT_ID));
        if (subject != null) {
            idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", List.of(CLIENT_ID),
                                                               claims, 3600));
        }
        HttpResponse<String> provider = stack.absolute(authorize);
        assertThat(provider.body(), provider.statusCode(), is(302));
        Map<String, String> back = query(URI.create(provider.headers().firstValue("Location").orElseThrow()));
        assertThat(back.get("state"), is(q.get("state")));
        return new Flow(cookie.split(";")[0], q.get("state"), q.get("nonce"), back.get("code"), authorize);
    }

    Landing finish(Flow flow) {
        return callback("?code=" + enc(flow.code()) + "&state=" + enc(flow.state()), flow.stateCookie());
    }

    Landing callback(String query, String cookie) {
        HttpResponse<String> r = cookie == null ? stack.send("GET", "/auth/oidc/callback" + query, null)
                : stack.send("GET", "/auth/oidc/callback" + query, null, "Cookie", cookie);
        String session = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("rm_session="))
                .map(c -> c.split(";")[0]).findFirst().orElse("");
        return new Landing(r.statusCode(), r.headers().firstValue("Location").orElse(""), session);
    }

    /** A whole login as the provider's user {@code subject} with these claims. */
    Landing login(String subject, Map<String, Object> claims) {
        return finish(begin(subject, claims));
    }

    static Map<String, Object> groups(String username, String... groups) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("preferred_username", username);
        claims.put("groups", List.of(groups));
        return claims;
    }

    JsonNode me(String sessionCookie) {
        HttpResponse<String> r = stack.send("GET", "/api/me", null, "Cookie", sessionCookie);
        return r.statusCode() == 200 ? TestStack.tree(r) : Json.MAPPER.createObjectNode().put("status", r.statusCode());
    }

    /** The audit rows (newest first) as "action target", read as an admin would. */
    List<String> audit(TestStack.Session admin, String action) {
        JsonNode items = TestStack.tree(stack.as(admin, "GET", "/api/audit?action=" + action + "&limit=50", null))
                .path("items");
        List<String> rows = new java.util.ArrayList<>();
        items.forEach(i -> rows.add(i.path("user").asText() + " " + i.path("action").asText() + " "
                + i.path("target").asText()));
        return rows;
    }

    @Test
    void codeFlowLogsInWithTheSameSessionAsAPasswordAndMapsGroupsToARole() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Landing landing = login("sub-alice", groups("alice", "staff", "backup-ops"));
        assertThat(landing.location(), is("/"));
        assertThat(landing.status(), is(303));
        JsonNode me = me(landing.sessionCookie());
        assertThat(me.path("username").asText(), is("alice"));
        assertThat(me.path("role").asText(), is("operator"));
        String csrf = me.path("csrf_token").asText();
        assertThat(csrf.isEmpty(), is(false));
        // the same session rules as a password login: unsafe calls need the CSRF token
        assertThat(stack.send("POST", "/api/logout", null, "Cookie", landing.sessionCookie()).statusCode(), is(403));

        // PKCE: the provider saw our challenge, and the code was redeemed with the verifier (else no token)
        // the user is listed as coming from the provider, without a password
        JsonNode users = TestStack.tree(stack.as(admin, "GET", "/api/users", null)).path("items");
        JsonNode alice = null;
        for (JsonNode u : users) {
            if (u.path("username").asText().equals("alice")) {
                alice = u;
            }
        }
        assertThat(String.valueOf(alice), alice.path("source").asText(), is("oidc"));
        assertThat(alice.path("break_glass").asBoolean(), is(false));
        // a provider account has no password here
        assertThat(stack.send("POST", "/api/login", Json.write(Map.of("username", "alice", "password",
                                                                      TestStack.PASSWORD))).statusCode(), is(401));
        assertThat(audit(admin, "oidc.").toString(), containsString("alice oidc.login user=alice role=operator"));
        assertThat(audit(admin, "oidc.user-create").toString(), containsString("alice oidc.user-create"));

        // the login page's question: what is offered
        JsonNode providers = TestStack.tree(stack.send("GET", "/api/auth/providers", null));
        assertThat(providers.path("oidc").path("name").asText(), is("Mock IdP"));
        assertThat(providers.path("oidc").path("login_url").asText(), is("/auth/oidc/login"));
        assertThat(providers.path("local_login").asText(), is("all"));
    }

    @Test
    void theClientSecretGoesToTheTokenEndpointAndNowhereElse() throws Exception {
        start();
        login("sub-bob", groups("bob", "backup-viewers"));
        // the provider got the secret as HTTP Basic (client_secret_basic); our logs never name it
        boolean basicSeen = false;
        for (int i = 0; i < 20; i++) {
            okhttp3.mockwebserver.RecordedRequest req;
            try {
                req = idp.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                break; // no more requests
            }
            String auth = req.getHeader("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String pair = new String(java.util.Base64.getDecoder().decode(auth.substring(6)),
                                         StandardCharsets.UTF_8);
                assertThat(pair, is(CLIENT_ID + ":" + CLIENT_SECRET));
                basicSeen = true;
                assertThat(req.getBody().readUtf8(), containsString("code_verifier="));
            }
        }
        assertThat(basicSeen, is(true));
        OidcConfig config = stack.gateway.oidcRoutes.orElseThrow().client().config();
        assertThat(config.toString(), not(containsString(CLIENT_SECRET)));
    }

    @Test
    void aSealedClientSecretOpensWithTheServersKeyAndPlainTextIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("seal");
        Map<String, String> base = Map.of("rm.data-dir", dir.toString(), "rm.public-url", "http://127.0.0.1:8080",
                                          "rm.gateway.oidc.discovery-url", idp.wellKnownUrl(ISSUER_ID).toString(),
                                          "rm.gateway.oidc.client-id", CLIENT_ID);
        io.helidon.config.Config plain = config(base);
        String sealed = SealSecret.seal(plain, CLIENT_SECRET);
        assertThat(sealed, startsWith("v1."));
        Map<String, String> withSealed = new HashMap<>(base);
        withSealed.put("rm.gateway.oidc.client-secret", sealed);
        assertThat(OidcConfig.from(config(withSealed)).orElseThrow().clientSecret().reveal(), is(CLIENT_SECRET));
        Map<String, String> withPlain = new HashMap<>(base);
        withPlain.put("rm.gateway.oidc.client-secret", CLIENT_SECRET);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> OidcConfig.from(config(withPlain)));
        assertThat(e.getMessage(), containsString("must be sealed"));
        assertThat(e.getMessage(), not(containsString(CLIENT_SECRET)));
    }

    static io.helidon.config.Config config(Map<String, String> map) {
        return io.helidon.config.Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(io.helidon.config.ConfigSources.create(map)).build();
    }

    @Test
    void aWrongOrMissingStateIsRefused() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Flow flow = begin("sub-carol", groups("carol", "backup-admins"));
        // another state than the one this browser's cookie holds (a login CSRF attempt)
        Landing wrong = callback("?code=" + enc(flow.code()) + "&state=forged-state", flow.stateCookie());
        assertThat(wrong.location(), is("/login?sso_error=failed"));
        assertThat(wrong.sessionCookie(), is(""));
        // the right state from a browser that never started this login
        Flow second = begin("sub-carol", groups("carol", "backup-admins"));
        Landing noCookie = callback("?code=" + enc(second.code()) + "&state=" + enc(second.state()), null);
        assertThat(noCookie.location(), is("/login?sso_error=failed"));
        // and that state is used up: even with its cookie now, it does not log in
        assertThat(finish(second).location(), is("/login?sso_error=expired"));
        List<String> refused = audit(admin, "oidc.refused");
        assertThat(refused.toString(), containsString("reason=state does not match the login this browser started"));
        assertThat(refused.toString(), containsString("reason=state unknown, already used or expired"));
        assertThat(audit(admin, "oidc.login").isEmpty(), is(true));
    }

    @Test
    void aReplayedCodeIsRefused() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Flow first = begin("sub-dave", groups("dave", "backup-ops"));
        assertThat(finish(first).location(), is("/"));
        // the same callback again: its state was used
        assertThat(finish(first).location(), is("/login?sso_error=expired"));
        // the old code inside a fresh login of the same browser: the provider refuses it, or its ID token carries
        // the first login's nonce; either way no session
        Flow second = begin(null, Map.of());
        Landing replay = callback("?code=" + enc(first.code()) + "&state=" + enc(second.state()),
                                  second.stateCookie());
        assertThat(replay.location(), is("/login?sso_error=failed"));
        assertThat(replay.sessionCookie(), is(""));
        assertThat(audit(admin, "oidc.refused").size(), is(2));
    }

    @Test
    void anExpiredIdTokenIsRefused() throws Exception {
        start(Map.of("rm.gateway.oidc.clock-skew-s", "30"));
        TestStack.Session admin = stack.setupAdmin();
        Flow flow = begin(null, Map.of());
        // expired 120 s ago: beyond the 30 s skew
        idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "sub-erin", "JWT", List.of(CLIENT_ID),
                                                           groups("erin", "backup-admins"), -120));
        Flow withCode = followAuthorize(flow);
        Landing landing = finish(withCode);
        assertThat(landing.location(), is("/login?sso_error=failed"));
        assertThat(audit(admin, "oidc.refused").getFirst(), containsString("reason=id_token expired at"));
    }

    @Test
    void aTokenJustPastExpiryIsAcceptedWithinTheClockSkew() throws Exception {
        start(Map.of("rm.gateway.oidc.clock-skew-s", "60"));
        Flow flow = begin(null, Map.of());
        idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "sub-erin", "JWT", List.of(CLIENT_ID),
                                                           groups("erin", "backup-admins"), -5));
        assertThat(finish(followAuthorize(flow)).location(), is("/"));
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Flow flow = followAuthorize(begin(null, Map.of()));
        // signed with the provider's own key, with the right nonce, but issued to another client
        Map<String, Object> claims = groups("frank", "backup-admins");
        claims.put("nonce", flow.nonce());
        claims.put("aud", List.of("other-client"));
        SignedJWT token = idp.issueToken(ISSUER_ID, "other-client", new DefaultOAuth2TokenCallback(
                ISSUER_ID, "sub-frank", "JWT", List.of("other-client"), claims, 3600));
        enqueueTokenResponse(token.serialize());
        Landing landing = finish(flow);
        assertThat(landing.location(), is("/login?sso_error=failed"));
        assertThat(audit(admin, "oidc.refused").getFirst(), containsString("audience [other-client] does not include "
                + CLIENT_ID));
    }

    @Test
    void groupsMissingFromTheIdTokenAreReadFromTheUserinfoEndpoint() throws Exception {
        start();
        Flow flow = followAuthorize(begin(null, Map.of()));
        // as Authelia does it: the ID token names the user, the groups come with userinfo (for the access token)
        Map<String, Object> idClaims = new LinkedHashMap<>();
        idClaims.put("nonce", flow.nonce());
        idClaims.put("preferred_username", "uma");
        SignedJWT id = idp.issueToken(ISSUER_ID, CLIENT_ID, new DefaultOAuth2TokenCallback(
                ISSUER_ID, "sub-uma", "JWT", List.of(CLIENT_ID), idClaims, 3600));
        SignedJWT access = idp.issueToken(ISSUER_ID, CLIENT_ID, new DefaultOAuth2TokenCallback(
                ISSUER_ID, "sub-uma", "JWT", List.of(CLIENT_ID), groups("uma", "backup-ops"), 3600));
        forged.set(Json.write(Map.of("access_token", access.serialize(), "token_type", "Bearer",
                                     "id_token", id.serialize())));
        Landing landing = finish(flow);
        assertThat(landing.location(), is("/"));
        assertThat(me(landing.sessionCookie()).path("role").asText(), is("operator"));
        assertThat(me(landing.sessionCookie()).path("username").asText(), is("uma"));
    }

    @Test
    void aTokenSignedByAKeyTheProviderDoesNotPublishIsRefused() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        login("sub-warmup", groups("warmup", "backup-ops"));
        String issuer = idp.issuerUrl(ISSUER_ID).toString();
        RSAKey rogue = new RSAKeyGenerator(2048).keyID("rogue-key").generate();
        // an unknown key id: we fetch the JWKS again (rotation) and still do not find it
        Flow flow = followAuthorize(begin(null, Map.of()));
        enqueueTokenResponse(sign(rogue, "rogue-key", issuer, flow.nonce()));
        assertThat(finish(flow).location(), is("/login?sso_error=failed"));
        assertThat(audit(admin, "oidc.refused").getFirst(),
                   containsString("signed by a key the provider does not publish (kid rogue-key)"));
        // the provider's own key id, but another key behind it
        String realKid = TestStack.tree(stack.absolute(URI.create(idp.jwksUrl(ISSUER_ID).toString())))
                .path("keys").get(0).path("kid").asText();
        Flow again = followAuthorize(begin(null, Map.of()));
        enqueueTokenResponse(sign(rogue, realKid, issuer, again.nonce()));
        assertThat(finish(again).location(), is("/login?sso_error=failed"));
        assertThat(audit(admin, "oidc.refused").getFirst(),
                   containsString("signature does not verify with the provider's key"));
        assertThat(audit(admin, "oidc.login").size(), is(1));
    }

    @Test
    void aUserWithNoMappedGroupIsRefusedAndAudited() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Landing landing = login("sub-gina", groups("gina", "staff", "marketing"));
        assertThat(landing.location(), is("/login?sso_error=no-role"));
        assertThat(landing.sessionCookie(), is(""));
        assertThat(audit(admin, "oidc.refused").getFirst(),
                   is("gina oidc.refused reason=no group maps to a role (groups [staff, marketing])"));
        // no account was made for them
        assertThat(TestStack.tree(stack.as(admin, "GET", "/api/users", null)).toString(), not(containsString("gina")));
    }

    @Test
    void anyoneElseAllowedGetsTheDefaultRoleWhenConfigured() throws Exception {
        start(Map.of("rm.gateway.oidc.default-role", "viewer"));
        Landing landing = login("sub-hank", groups("hank", "staff"));
        assertThat(landing.location(), is("/"));
        assertThat(me(landing.sessionCookie()).path("role").asText(), is("viewer"));
    }

    @Test
    void aGroupRemovedBetweenTwoLoginsRefusesTheLoginAndEndsExistingSessionsAndTokens() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Landing first = login("sub-ivan", groups("ivan", "backup-admins"));
        assertThat(me(first.sessionCookie()).path("role").asText(), is("admin"));
        JsonNode me = me(first.sessionCookie());
        TestStack.Session ivan = new TestStack.Session(first.sessionCookie(), me.path("csrf_token").asText());
        String token = stack.createToken(ivan, "ivan-script", "viewer");
        assertThat(stack.send("GET", "/api/me", null, "Authorization", "Bearer " + token).statusCode(), is(200));

        // at the provider, ivan leaves backup-admins; his next login (e.g. from another browser) is refused
        Landing second = login("sub-ivan", groups("ivan", "staff"));
        assertThat(second.location(), is("/login?sso_error=no-role"));
        // the session he still had ends at its next use, and so does his API token
        assertThat(me(first.sessionCookie()).path("status").asInt(), is(401));
        assertThat(stack.send("GET", "/api/me", null, "Authorization", "Bearer " + token).statusCode(), is(401));
        assertThat(audit(admin, "oidc.refused").getFirst(), containsString(
                "reason=no group maps to a role (groups [staff]); its sessions and tokens ended"));

        // back in a mapped group: he logs in again, with the role his groups give now
        Landing third = login("sub-ivan", groups("ivan", "backup-viewers"));
        assertThat(third.location(), is("/"));
        assertThat(me(third.sessionCookie()).path("role").asText(), is("viewer"));
    }

    @Test
    void theRoleIsReEvaluatedAtEachLoginAndTheChangeAudited() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Landing first = login("sub-judy", groups("judy", "backup-ops"));
        assertThat(me(first.sessionCookie()).path("role").asText(), is("operator"));
        Landing second = login("sub-judy", groups("judy", "backup-ops", "backup-admins"));
        assertThat(me(second.sessionCookie()).path("role").asText(), is("admin"));
        // the role lives on the user: her older session has it too
        assertThat(me(first.sessionCookie()).path("role").asText(), is("admin"));
        Landing third = login("sub-judy", groups("judy", "backup-viewers"));
        assertThat(me(third.sessionCookie()).path("role").asText(), is("viewer"));
        List<String> changes = audit(admin, "oidc.role-change");
        assertThat(changes.get(1), containsString("user=judy role=operator→admin"));
        assertThat(changes.get(0), containsString("user=judy role=admin→viewer"));
        // an admin cannot override it here: the provider's groups decide
        String judyId = userId(admin, "judy");
        assertThat(stack.as(admin, "PATCH", "/api/users/" + judyId, Json.write(Map.of("role", "admin")))
                           .statusCode(), is(409));
    }

    @Test
    void aProviderUserCannotTakeOverALocalAccountOfTheSameName() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Landing landing = login("sub-evil", groups(TestStack.ADMIN, "backup-admins"));
        assertThat(landing.location(), is("/login?sso_error=conflict"));
        assertThat(audit(admin, "oidc.refused").getFirst(), containsString("belongs to a local account"));
    }

    @Test
    void localLoginSwitchedOffLeavesOnlyBreakGlassAccounts() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        TestStack.Session operator = stack.createUser(admin, "olive", "operator");
        TestStack.Session secondAdmin = stack.createUser(admin, "oscar", "admin");
        // only an admin may switch it
        assertThat(stack.as(operator, "PUT", "/api/auth/settings", Json.write(Map.of("local_login", "break-glass")))
                           .statusCode(), is(403));
        HttpResponse<String> off = stack.as(admin, "PUT", "/api/auth/settings",
                                            Json.write(Map.of("local_login", "break-glass")));
        assertThat(off.body(), off.statusCode(), is(200));
        assertThat(TestStack.tree(off).path("local_login").asText(), is("break-glass"));
        // the other local accounts' sessions end; the break-glass admin's does not
        assertThat(me(operator.cookie()).path("status").asInt(), is(401));
        assertThat(me(secondAdmin.cookie()).path("status").asInt(), is(401));
        assertThat(me(admin.cookie()).path("username").asText(), is(TestStack.ADMIN));
        // and their password logins are refused, even with the right password
        HttpResponse<String> refused = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", "olive", "password", TestStack.PASSWORD)));
        assertThat(refused.statusCode(), is(403));
        assertThat(refused.body(), containsString("sign in with Mock IdP"));
        assertThat(stack.login(TestStack.ADMIN, TestStack.PASSWORD).cookie(), startsWith("rm_session="));
        assertThat(TestStack.tree(stack.send("GET", "/api/auth/providers", null)).path("local_login").asText(),
                   is("break-glass"));
        assertThat(audit(admin, "login.refused").getFirst(), containsString("olive login.refused"));
        assertThat(audit(admin, "auth.settings").getFirst(), containsString("local_login=break-glass"));
        // single sign-on still works
        assertThat(login("sub-kim", groups("kim", "backup-ops")).location(), is("/"));
        // a second break-glass account may be named; the last one cannot be taken away while login is off
        String oscarId = userId(admin, "oscar");
        assertThat(stack.as(admin, "PATCH", "/api/users/" + oscarId, Json.write(Map.of("break_glass", true)))
                           .statusCode(), is(200));
        assertThat(stack.login("oscar", TestStack.PASSWORD).cookie(), startsWith("rm_session="));
        assertThat(stack.as(admin, "PATCH", "/api/users/" + oscarId, Json.write(Map.of("break_glass", false)))
                           .statusCode(), is(200));
        String adminId = userId(admin, TestStack.ADMIN);
        assertThat(stack.as(admin, "PATCH", "/api/users/" + adminId, Json.write(Map.of("break_glass", false)))
                           .statusCode(), is(409));
        // switched back on, everyone's password works again
        assertThat(stack.as(admin, "PUT", "/api/auth/settings", Json.write(Map.of("local_login", "all")))
                           .statusCode(), is(200));
        assertThat(stack.login("olive", TestStack.PASSWORD).cookie(), startsWith("rm_session="));
        assertThat(stack.as(admin, "PUT", "/api/auth/settings", Json.write(Map.of("local_login", "nobody")))
                           .statusCode(), is(422));
    }

    @Test
    void logoutEndsTheSessionAndOffersTheProvidersEndSession() throws Exception {
        start();
        TestStack.Session admin = stack.setupAdmin();
        Landing landing = login("sub-lena", groups("lena", "backup-ops"));
        String csrf = me(landing.sessionCookie()).path("csrf_token").asText();
        HttpResponse<String> out = stack.send("POST", "/api/logout", null, "Cookie", landing.sessionCookie(),
                                              "X-CSRF-Token", csrf);
        assertThat(out.body(), out.statusCode(), is(200));
        String endSession = TestStack.tree(out).path("end_session_url").asText();
        assertThat(endSession, startsWith(idp.endSessionEndpointUrl(ISSUER_ID).toString() + "?"));
        assertThat(endSession, containsString("client_id=" + CLIENT_ID));
        assertThat(endSession, containsString("post_logout_redirect_uri="
                + enc("http://127.0.0.1:8080/login?logged_out=1")));
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow(), containsString("Max-Age=0"));
        assertThat(me(landing.sessionCookie()).path("status").asInt(), is(401));
        // a local account's logout has nothing to offer
        HttpResponse<String> local = stack.as(admin, "POST", "/api/logout", null);
        assertThat(local.statusCode(), is(204));
        assertThat(TestStack.tree(stack.send("GET", "/api/auth/providers", null)).path("oidc")
                           .path("end_session_url").asText(), is(endSession));
    }

    @Test
    void withoutSingleSignOnConfiguredNothingIsOffered() throws Exception {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        JsonNode providers = TestStack.tree(stack.send("GET", "/api/auth/providers", null));
        assertThat(providers.path("oidc").isMissingNode() || providers.path("oidc").isNull(), is(true));
        assertThat(stack.as(admin, "PUT", "/api/auth/settings", Json.write(Map.of("local_login", "break-glass")))
                           .statusCode(), is(409));
    }

    // ---- helpers

    /** Visits the provider's authorize endpoint of a started flow (whose token callback the test enqueued). */
    Flow followAuthorize(Flow flow) {
        HttpResponse<String> provider = stack.absolute(flow.authorize());
        Map<String, String> back = query(URI.create(provider.headers().firstValue("Location").orElseThrow()));
        return new Flow(flow.stateCookie(), flow.state(), flow.nonce(), back.get("code"), flow.authorize());
    }

    void enqueueTokenResponse(String idToken) {
        forged.set(Json.write(Map.of("access_token", "at-" + System.nanoTime(), "token_type", "Bearer",
                                     "expires_in", 3600, "id_token", idToken)));
    }

    static String sign(RSAKey key, String kid, String issuer, String nonce) throws Exception {
        Date now = new Date();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("sub-mallory").audience(CLIENT_ID)
                .issueTime(now).expirationTime(new Date(now.getTime() + 3_600_000)).claim("nonce", nonce)
                .claim("preferred_username", "mallory").claim("groups", List.of("backup-admins")).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid)
                                              .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    String userId(TestStack.Session admin, String username) {
        for (JsonNode u : TestStack.tree(stack.as(admin, "GET", "/api/users", null)).path("items")) {
            if (u.path("username").asText().equals(username)) {
                return u.path("id").asText();
            }
        }
        throw new AssertionError("no user " + username);
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                      URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
