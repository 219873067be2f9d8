package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;

import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The provider's signing keys. Fetched on first use, again after an hour, and again at once when a token names a
 * key we do not have (the provider rotated its keys) — at most every {@link #MIN_REFRESH}, so tokens with made-up
 * key ids cannot make us hammer the provider. A key that disappears from the provider's set stops verifying at
 * the next fetch.
 */
final class Jwks {
    static final Duration MIN_REFRESH = Duration.ofSeconds(10);
    static final Duration MAX_AGE = Duration.ofHours(1);

    private final Supplier<URI> uri;
    private final Function<URI, JsonNode> fetch;
    private final Clock clock;
    private volatile JWKSet keys;
    private volatile Instant fetchedAt = Instant.EPOCH;
    private volatile int fetches;

    Jwks(Supplier<URI> uri, Function<URI, JsonNode> fetch, Clock clock) {
        this.uri = uri;
        this.fetch = fetch;
        this.clock = clock;
    }

    /** Keys that may have signed a token with this key id and algorithm (refetching once if none is known). */
    List<JWK> keysFor(String kid, JWSAlgorithm alg) {
        Instant now = clock.instant();
        JWKSet current = keys;
        if (current == null || now.isAfter(fetchedAt.plus(MAX_AGE))) {
            current = refresh(now);
        }
        List<JWK> found = select(current, kid, alg);
        if (found.isEmpty() && now.isAfter(fetchedAt.plus(MIN_REFRESH))) {
            found = select(refresh(now), kid, alg);
        }
        return found;
    }

    /** How often the set was fetched (tests). */
    int fetches() {
        return fetches;
    }

    private synchronized JWKSet refresh(Instant now) {
        if (keys != null && !now.isAfter(fetchedAt.plus(MIN_REFRESH))) {
            return keys; // another thread just fetched
        }
        JsonNode doc = fetch.apply(uri.get());
        try {
            keys = JWKSet.parse(doc.toString());
        } catch (ParseException e) {
            throw new OidcClient.Refusal("unavailable", "the provider's JWKS is not a valid key set");
        }
        fetchedAt = now;
        fetches++;
        return keys;
    }

    static List<JWK> select(JWKSet set, String kid, JWSAlgorithm alg) {
        KeyType type = KeyType.forAlgorithm(alg);
        return set.getKeys().stream()
                .filter(k -> kid == null || kid.equals(k.getKeyID()))
                .filter(k -> type == null || type.equals(k.getKeyType()))
                .filter(k -> k.getKeyUse() == null || KeyUse.SIGNATURE.equals(k.getKeyUse()))
                .filter(k -> k.getAlgorithm() == null || alg.equals(k.getAlgorithm()))
                .toList();
    }
}
