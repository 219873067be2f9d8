package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is really calling: the socket peer, or — only when that peer is a trusted proxy ({@code RM_TRUSTED_PROXY})
 * — the right-most untrusted address of {@code X-Forwarded-For}; and whether the browser used TLS.
 */
final class ClientAddress {
    private final Set<String> trusted;

    ClientAddress(Set<String> trusted) {
        this.trusted = Set.copyOf(trusted);
    }

    static ClientAddress create(Config config) {
        String raw = config.get("rm.trusted-proxy").asString().orElse("");
        return new ClientAddress(Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                                         .collect(Collectors.toSet()));
    }

    String of(ServerRequest req) {
        String peer = peer(req);
        if (!trusted.contains(peer)) {
            return peer;
        }
        List<String> chain = req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of).stream()
                .flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (!trusted.contains(chain.get(i))) {
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
        return trusted.contains(peer(req))
                && req.headers().first(HeaderNames.X_FORWARDED_PROTO).map("https"::equalsIgnoreCase).orElse(false);
    }

    private static String peer(ServerRequest req) {
        String host = req.remotePeer().host();
        return host.startsWith("/") ? host.substring(1) : host;
    }
}
