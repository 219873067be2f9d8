package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
    private final boolean publicHttps;
    private final String publicOrigin;

    ClientAddress(Set<String> trusted) {
        this(trusted, null, "");
    }

    ClientAddress(Set<String> trusted, String internalToken, String publicUrl) {
        this.publicHttps = publicUrl.startsWith("https://");
        this.publicOrigin = origin(publicUrl).orElse("");
        this.trustedExact = trusted.stream().filter(t -> !t.contains("/")).collect(Collectors.toUnmodifiableSet());
        this.trustedRanges = trusted.stream().filter(t -> t.contains("/")).map(Cidr::parse).toList();
        this.internalToken = internalToken;
    }

    static ClientAddress create(Config config, String internalToken) {
        String raw = config.get("rm.trusted-proxy").asString().orElse("");
        return new ClientAddress(Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                                         .collect(Collectors.toSet()), internalToken,
                                 config.get("rm.public-url").asString().orElse(""));
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

    /**
     * Whether the browser used TLS: always when the public URL is https (the cookie must never travel in clear),
     * else TLS on our own socket, our ui-service naming the browser's scheme (with the internal token), or a
     * trusted proxy saying so.
     */
    boolean secure(ServerRequest req) {
        if (publicHttps || req.isSecure()) {
            return true;
        }
        if (internalToken != null) {
            var proto = req.headers().first(io.resticmanager.kit.Http.FORWARDED_PROTO);
            if (proto.isPresent() && io.resticmanager.kit.Tokens.same(
                    req.headers().first(io.resticmanager.kit.Http.INTERNAL_TOKEN).orElse(null), internalToken)) {
                return "https".equalsIgnoreCase(proto.get().strip());
            }
        }
        return trusted(peer(req))
                && req.headers().first(HeaderNames.X_FORWARDED_PROTO).map("https"::equalsIgnoreCase).orElse(false);
    }

    /**
     * Whether a browser's {@code Origin} (or, lacking it, {@code Referer}) names this site: the public URL's origin or
     * the scheme and Host the request came with. True when the request carries neither (scripts, agents, curl).
     */
    boolean sameSite(ServerRequest req) {
        if (req.headers().first(SEC_FETCH_SITE).map("cross-site"::equalsIgnoreCase).orElse(false)) {
            return false;
        }
        Optional<String> claimed = req.headers().first(HeaderNames.ORIGIN)
                .or(() -> req.headers().first(HeaderNames.REFERER).map(r -> origin(r).orElse("null")));
        if (claimed.isEmpty()) {
            return true;
        }
        String origin = claimed.get().strip().toLowerCase(java.util.Locale.ROOT);
        String self = (secure(req) ? "https://" : "http://")
                + req.headers().first(HeaderNames.HOST).orElse("").strip().toLowerCase(java.util.Locale.ROOT);
        return origin.equals(self) || (!publicOrigin.isEmpty() && origin.equals(publicOrigin));
    }

    /** {@code scheme://host[:port]} of a URL, lower-case; empty when it is not an absolute http(s) URL. */
    static Optional<String> origin(String url) {
        try {
            java.net.URI uri = new java.net.URI(url.strip());
            if (uri.getScheme() == null || uri.getRawAuthority() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                return Optional.empty();
            }
            return Optional.of((uri.getScheme() + "://" + uri.getRawAuthority()).toLowerCase(java.util.Locale.ROOT));
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static final io.helidon.http.HeaderName SEC_FETCH_SITE = HeaderNames.create("Sec-Fetch-Site");

    private boolean trusted(String address) {
        return trustedExact.contains(address) || trustedRanges.stream().anyMatch(r -> r.contains(address));
    }

    /** An IPv4 or IPv6 range such as {@code 10.0.0.0/8}. */
    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String text) {
            return parse(text, "RM_TRUSTED_PROXY");
        }

        /** @param setting named in the error, so a bad value says where it came from */
        static Cidr parse(String text, String setting) {
            int slash = text.indexOf('/');
            try {
                byte[] net = literal(text.substring(0, slash));
                int prefix = Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > net.length * 8) {
                    throw new IllegalArgumentException("bad prefix");
                }
                return new Cidr(net, prefix);
            } catch (RuntimeException e) {
                throw new IllegalStateException(setting + ": not an address or CIDR range: " + text);
            }
        }

        /** The bytes of an IP literal; never a DNS lookup (names are refused before resolving). */
        static byte[] literal(String text) {
            // without a colon Java resolves anything but a valid dotted quad ("1.2.3.999", "fee.cafe") by DNS
            boolean ok = text.contains(":") ? text.matches("[0-9a-fA-F:.]+") : dottedQuad(text);
            if (!ok) {
                throw new IllegalArgumentException("not an IP literal");
            }
            try {
                return java.net.InetAddress.getByName(text).getAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP literal");
            }
        }

        private static boolean dottedQuad(String text) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String part : parts) {
                if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
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
