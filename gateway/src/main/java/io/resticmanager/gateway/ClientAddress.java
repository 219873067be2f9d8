package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is really calling: the socket peer, or — only when that peer is a trusted proxy ({@code RM_TRUSTED_PROXY}:
 * addresses or CIDR ranges, comma-separated) — the right-most untrusted address of {@code X-Forwarded-For};
 * and whether the browser used TLS. Our own ui-service calls the API on behalf of a browser: it proves itself
 * with the internal token and names the browser in {@code X-RM-Forwarded-For}.
 */
final class ClientAddress {
    private final Set<String> trustedExact;
    private final List<Cidr> trustedRanges;
    private final String internalToken;

    ClientAddress(Set<String> trusted) {
        this(trusted, null);
    }

    ClientAddress(Set<String> trusted, String internalToken) {
        this.trustedExact = trusted.stream().filter(t -> !t.contains("/")).collect(Collectors.toUnmodifiableSet());
        this.trustedRanges = trusted.stream().filter(t -> t.contains("/")).map(Cidr::parse).toList();
        this.internalToken = internalToken;
    }

    static ClientAddress create(Config config, String internalToken) {
        String raw = config.get("rm.trusted-proxy").asString().orElse("");
        return new ClientAddress(Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                                         .collect(Collectors.toSet()), internalToken);
    }

    String of(ServerRequest req) {
        String peer = peer(req);
        if (internalToken != null) {
            var forwarded = req.headers().first(io.resticmanager.kit.Http.FORWARDED_FOR);
            if (forwarded.isPresent() && io.resticmanager.kit.Tokens.same(
                    req.headers().first(io.resticmanager.kit.Http.INTERNAL_TOKEN).orElse(null), internalToken)) {
                return forwarded.get().strip();
            }
        }
        if (!trusted(peer)) {
            return peer;
        }
        List<String> chain = req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of).stream()
                .flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (!trusted(chain.get(i))) {
                return chain.get(i);
            }
        }
        return chain.isEmpty() ? peer : chain.getFirst();
    }

    /** TLS on our own socket, or a trusted proxy saying the browser used https. */
    boolean secure(ServerRequest req) {
        if (req.isSecure()) {
            return true;
        }
        return trusted(peer(req))
                && req.headers().first(HeaderNames.X_FORWARDED_PROTO).map("https"::equalsIgnoreCase).orElse(false);
    }

    private boolean trusted(String address) {
        return trustedExact.contains(address) || trustedRanges.stream().anyMatch(r -> r.contains(address));
    }

    /** An IPv4 or IPv6 range such as {@code 10.0.0.0/8}. */
    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                byte[] net = literal(text.substring(0, slash));
                int prefix = Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > net.length * 8) {
                    throw new IllegalArgumentException("bad prefix");
                }
                return new Cidr(net, prefix);
            } catch (RuntimeException e) {
                throw new IllegalStateException("RM_TRUSTED_PROXY: not an address or CIDR range: " + text);
            }
        }

        /** The bytes of an IP literal; never a DNS lookup (names are refused before resolving). */
        static byte[] literal(String text) {
            if (!text.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP literal");
            }
            try {
                return java.net.InetAddress.getByName(text).getAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP literal");
            }
        }

        boolean contains(String address) {
            byte[] addr;
            try {
                addr = literal(address);
            } catch (RuntimeException e) {
                return false;
            }
            if (addr.length != network.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < addr.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((addr[i] & mask) != (network[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static String peer(ServerRequest req) {
        String host = req.remotePeer().host();
        return host.startsWith("/") ? host.substring(1) : host;
    }
}
