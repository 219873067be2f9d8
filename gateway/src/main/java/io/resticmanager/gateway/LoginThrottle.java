package io.resticmanager.gateway;

import io.helidon.config.Config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Login rate limits: a token bucket per source address (every attempt costs one token) and, per account,
 * an exponential lockout after a number of consecutive failures. Unknown usernames are treated exactly like
 * known ones, so the limiter does not reveal which accounts exist.
 */
final class LoginThrottle {
    private static final int MAX_ENTRIES = 100_000;

    private final double ipPerMilli;
    private final double ipBurst;
    private final int accountFailures;
    private final long lockoutBaseMillis;
    private final long lockoutMaxMillis;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private static final class Account {
        int failures;
        long lockedUntil;
    }

    LoginThrottle(int ipPerMinute, int ipBurst, int accountFailures, long lockoutBaseMillis, long lockoutMaxMillis) {
        this.ipPerMilli = ipPerMinute / 60_000.0;
        this.ipBurst = ipBurst;
        this.accountFailures = accountFailures;
        this.lockoutBaseMillis = lockoutBaseMillis;
        this.lockoutMaxMillis = lockoutMaxMillis;
    }

    static LoginThrottle create(Config config) {
        return new LoginThrottle(config.get("ip-per-minute").asInt().orElse(10),
                                 config.get("ip-burst").asInt().orElse(20),
                                 config.get("account-failures").asInt().orElse(5),
                                 config.get("lockout-base-s").asLong().orElse(30L) * 1000,
                                 config.get("lockout-max-s").asLong().orElse(900L) * 1000);
    }

    /**
     * Takes one attempt from the address's bucket and checks the account's lockout.
     *
     * @return empty when the attempt may proceed, else the seconds to wait (for Retry-After)
     */
    Optional<Long> attempt(String sourceIp, String username, long now) {
        evictIfHuge(now);
        // Every attempt costs the address a token, also those against a locked account.
        Bucket bucket = buckets.computeIfAbsent(sourceIp, k -> new Bucket(ipBurst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(ipBurst, bucket.tokens + Math.max(0, now - bucket.at) * ipPerMilli);
            bucket.at = Math.max(bucket.at, now);
            if (bucket.tokens < 1) {
                return Optional.of(seconds((long) Math.ceil((1 - bucket.tokens) / ipPerMilli)));
            }
            bucket.tokens -= 1;
        }
        return accountWait(key(username), now);
    }

    void failure(String username, long now) {
        Account account = accounts.computeIfAbsent(key(username), k -> new Account());
        synchronized (account) {
            account.failures++;
            if (account.failures >= accountFailures) {
                int over = Math.min(20, account.failures - accountFailures);
                account.lockedUntil = now + Math.min(lockoutMaxMillis, lockoutBaseMillis << over);
            }
        }
    }

    void success(String username) {
        accounts.remove(key(username));
    }

    private Optional<Long> accountWait(String key, long now) {
        Account account = accounts.get(key);
        if (account == null) {
            return Optional.empty();
        }
        synchronized (account) {
            return account.lockedUntil > now ? Optional.of(seconds(account.lockedUntil - now)) : Optional.empty();
        }
    }

    /** A flood of distinct addresses or names must not grow memory without bound: drop idle entries. */
    private void evictIfHuge(long now) {
        if (buckets.size() > MAX_ENTRIES) {
            // A bucket idle long enough to be full again is the same as no bucket.
            long refill = (long) (ipBurst / ipPerMilli);
            buckets.entrySet().removeIf(e -> now - e.getValue().at > refill);
        }
        if (accounts.size() > MAX_ENTRIES) {
            accounts.entrySet().removeIf(e -> e.getValue().lockedUntil < now);
        }
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    private static String key(String username) {
        return username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
    }
}
