package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/** The provider's signing keys: fetched once, again for a key id we have not seen (rotation), never in a storm. */
class JwksTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final Jwks jwks = new Jwks(() -> URI.create("https://idp.example/jwks"), uri -> json(published.get()),
                                       clock);

    static JsonNode json(JWKSet set) {
        try {
            return Json.MAPPER.readTree(set.toString(true));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static RSAKey key(String kid) throws Exception {
        return new RSAKeyGenerator(2048).keyID(kid).generate();
    }

    void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesIt() throws Exception {
        RSAKey old = key("k1");
        published.set(new JWKSet(old.toPublicJWK()));
        assertThat(jwks.keysFor("k1", JWSAlgorithm.RS256), hasSize(1));
        assertThat(jwks.fetches(), is(1));
        assertThat(jwks.keysFor("k1", JWSAlgorithm.RS256), hasSize(1));
        assertThat(jwks.fetches(), is(1)); // cached

        // the provider rotates: k2 signs new tokens, k1 is still published for a while
        RSAKey rotated = key("k2");
        published.set(new JWKSet(java.util.List.of(old.toPublicJWK(), rotated.toPublicJWK())));
        advance(Duration.ofSeconds(30));
        assertThat(jwks.keysFor("k2", JWSAlgorithm.RS256), hasSize(1));
        assertThat(jwks.fetches(), is(2));
        // k1 retired: gone at the next fetch (hourly)
        published.set(new JWKSet(rotated.toPublicJWK()));
        advance(Duration.ofMinutes(61));
        assertThat(jwks.keysFor("k1", JWSAlgorithm.RS256), is(empty()));
        assertThat(jwks.keysFor("k2", JWSAlgorithm.RS256), hasSize(1));
    }

    @Test
    void madeUpKeyIdsDoNotMakeUsHammerTheProvider() throws Exception {
        published.set(new JWKSet(key("k1").toPublicJWK()));
        jwks.keysFor("k1", JWSAlgorithm.RS256);
        for (int i = 0; i < 50; i++) {
            assertThat(jwks.keysFor("forged-" + i, JWSAlgorithm.RS256), is(empty()));
        }
        assertThat(jwks.fetches(), is(1)); // at most one fetch per 10 s
        advance(Duration.ofSeconds(11));
        assertThat(jwks.keysFor("forged-x", JWSAlgorithm.RS256), is(empty()));
        assertThat(jwks.fetches(), is(2));
    }

    @Test
    void aKeyOfTheWrongTypeOrUseIsNotACandidate() throws Exception {
        RSAKey enc = new RSAKeyGenerator(2048).keyID("k1").keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION).generate();
        published.set(new JWKSet(enc.toPublicJWK()));
        assertThat(jwks.keysFor("k1", JWSAlgorithm.RS256), is(empty()));
        published.set(new JWKSet(key("k1").toPublicJWK()));
        advance(Duration.ofSeconds(11));
        assertThat(jwks.keysFor("k1", JWSAlgorithm.ES256), is(empty()));
        assertThat(jwks.keysFor("k1", JWSAlgorithm.RS256), hasSize(1));
    }
}
