package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Forwards a request the guard let through to the service that owns its path. Incoming {@code X-RM-*} headers
 * are dropped and the gateway's own added (internal token, principal, client address; for the UI also the CSRF
 * token and the cookie). Response bodies are streamed; a service that is down becomes a 503 problem naming it.
 */
final class Proxy implements Handler {
    private static final System.Logger LOG = System.getLogger(Proxy.class.getName());
    static final String CSRF_FOR_UI = "X-RM-CSRF";
    // Hop-by-hop headers and those the JDK client sets itself.
    private static final Set<String> HOP = Set.of("host", "connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "expect", "http2-settings", "forwarded", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix");
    private static final Set<String> OURS = Set.of("content-security-policy", "x-content-type-options",
            "referrer-policy", "x-frame-options");

    private final Upstreams upstreams;
    private final String internalToken;
    private final HttpClient client;
    private final Duration readTimeout;
    private final long maxBodyBytes;

    Proxy(Upstreams upstreams, String internalToken, Duration connectTimeout, Duration readTimeout,
          long maxBodyBytes) {
        this.upstreams = upstreams;
        this.internalToken = internalToken;
        this.readTimeout = readTimeout;
        this.maxBodyBytes = maxBodyBytes;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Upstreams.Upstream upstream = upstreams.forPath(req.path().path())
                .orElseThrow(() -> Problem.notFound("no such resource"));
        String query = req.query().rawValue();
        URI uri = URI.create(upstream.base() + req.path().rawPath() + (query.isEmpty() ? "" : "?" + query));
        Optional<Caller> caller = req.context().get(Caller.class);
        HttpRequest.Builder out = HttpRequest.newBuilder(uri).timeout(readTimeout);
        copyRequestHeaders(req, out, upstream);
        out.header(Http.INTERNAL_TOKEN.defaultCase(), internalToken);
        out.header(Http.FORWARDED_FOR.defaultCase(),
                   req.context().get(AccessGuard.Source.class).map(AccessGuard.Source::ip)
                           .orElseGet(() -> req.remotePeer().host()));
        out.header(Http.FORWARDED_PROTO.defaultCase(), req.context().get(AccessGuard.Source.class)
                .map(AccessGuard.Source::secure).orElse(req.isSecure()) ? "https" : "http");
        caller.ifPresent(c -> out.header(Http.PRINCIPAL.defaultCase(), c.principal().toHeader()));
        if (upstream.name().equals(Upstreams.UI)) {
            caller.filter(Caller::session).ifPresent(c -> out.header(CSRF_FOR_UI, c.csrfToken()));
        }
        byte[] body = req.context().get(BufferedBody.class).orElseGet(() -> BufferedBody.read(req, maxBodyBytes))
                .bytes();
        String method = req.prologue().method().text();
        out.method(method, body.length == 0 && !AccessGuard.UNSAFE.contains(method)
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));

        HttpResponse<InputStream> response = send(upstream, out.build());
        answer(req, res, response);
    }

    private HttpResponse<InputStream> send(Upstreams.Upstream upstream, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw Problem.unavailable(upstream.name() + " is unavailable (cannot connect)");
        } catch (HttpTimeoutException e) {
            throw Problem.unavailable(upstream.name() + " did not answer within " + readTimeout.toSeconds() + " s");
        } catch (IOException e) {
            throw Problem.unavailable(upstream.name() + " is unavailable (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable(upstream.name() + " call interrupted");
        }
    }

    private void copyRequestHeaders(ServerRequest req, HttpRequest.Builder out, Upstreams.Upstream upstream) {
        boolean ui = upstream.name().equals(Upstreams.UI);
        boolean hub = upstream.name().equals(Upstreams.HUB);
        req.headers().stream().forEach(h -> {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (HOP.contains(name) || name.startsWith("x-rm-")) {
                return;
            }
            // Our own credentials stay here; only the UI gets the cookie back (it calls us with it), and only
            // agent-hub gets an Authorization that is not ours (agent credentials).
            if (name.equals("cookie") && !ui) {
                return;
            }
            if (name.equals("authorization")
                    && (!hub || Authenticator.apiToken(Map.of("Authorization", h.allValues())).isPresent())) {
                return;
            }
            for (String value : h.allValues()) {
                out.header(h.name(), value);
            }
        });
    }

    private void answer(ServerRequest req, ServerResponse res, HttpResponse<InputStream> response) {
        Map<String, List<String>> headers = response.headers().map();
        AuditNote note = req.context().get(AuditNote.class).orElseGet(AuditNote::new);
        firstHeader(headers, Http.AUDIT_ACTION.lowerCase())
                .ifPresent(a -> note.action(a, firstHeader(headers, Http.AUDIT_TARGET.lowerCase())
                        .orElse(req.path().path())));
        res.status(Status.create(response.statusCode()));
        boolean head = req.prologue().method().text().equals("HEAD");
        boolean noBody = head || response.statusCode() == 204 || response.statusCode() == 304;
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(":") || HOP.contains(lower) && !lower.equals("content-length")
                    || lower.startsWith("x-rm-") || OURS.contains(lower)
                    || lower.equals("content-length") && noBody) {
                return;
            }
            res.header(HeaderNames.create(name), values.toArray(String[]::new));
        });
        boolean streamed = note.action().isPresent() && response.statusCode() < 300
                && response.headers().firstValue("content-length").isEmpty();
        long copied = 0;
        try (InputStream in = response.body()) {
            if (noBody) {
                res.send();
                return;
            }
            OutputStream os = res.outputStream();
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                    // the client hands the body over in small buffers (jdk.httpclient.bufsize is kept small for the
                    // agents' sockets, GatewayMain): gather what already arrived into one write
                    while (n > 0 && n < buffer.length && in.available() > 0) {
                        int more = in.read(buffer, n, buffer.length - n);
                        if (more < 0) {
                            break;
                        }
                        n += more;
                    }
                } catch (IOException e) {
                    // The service broke off its body (a download whose agent went away): end ours broken too, never
                    // with the final chunk that would present a short file as complete.
                    LOG.log(Level.DEBUG, "upstream body broke off after " + copied + " bytes: " + e.getMessage());
                    throw new UpstreamBroken(e.getMessage());
                }
                if (n < 0) {
                    break;
                }
                try {
                    os.write(buffer, 0, n);
                    // Flush each gathered piece: log tails and progress pages reach the browser as they come, while
                    // a large answer that arrived at once goes out in few large writes.
                    os.flush();
                } catch (RuntimeException e) {
                    // Helidon reports a client that went away as an unchecked exception of its own
                    throw new IOException("client went away: " + e.getClass().getSimpleName(), e);
                }
                copied += n;
            }
            try {
                os.close();
            } catch (RuntimeException e) {
                throw new IOException("client went away: " + e.getClass().getSimpleName(), e);
            }
            if (streamed) {
                note.streamed(copied, true);
            }
        } catch (UpstreamBroken e) {
            if (streamed) {
                note.streamed(copied, false);
            }
            throw e;
        } catch (IOException | UncheckedIOException e) {
            // the client went away (closing the upstream body also tells the service, which stops its work)
            if (streamed) {
                note.streamed(copied, false);
            }
            LOG.log(Level.DEBUG, "proxied body interrupted: " + e.getMessage());
        }
    }

    /** Thrown after the headers went out: Helidon then closes the client's connection instead of ending the body. */
    static final class UpstreamBroken extends RuntimeException {
        UpstreamBroken(String why) {
            super(why, null, false, false);
        }
    }

    private static Optional<String> firstHeader(Map<String, List<String>> headers, String lowerName) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(lowerName))
                .flatMap(e -> e.getValue().stream()).findFirst();
    }
}
