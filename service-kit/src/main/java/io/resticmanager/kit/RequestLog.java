package io.resticmanager.kit;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import java.lang.System.Logger.Level;

/** One structured line per request: method, path (never the query: it may carry ids), status, duration. */
public final class RequestLog implements Filter {
    private static final System.Logger LOG = System.getLogger("io.resticmanager.access");
    private final String service;

    public RequestLog(String service) {
        this.service = service;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            long micros = (System.nanoTime() - start) / 1000;
            if (LOG.isLoggable(Level.INFO) && !req.path().path().equals("/health")) {
                LOG.log(Level.INFO, "service=" + service + " method=" + req.prologue().method().text()
                        + " path=" + req.path().path() + " status=" + res.status().code()
                        + " ms=" + (micros / 1000.0) + " peer=" + req.remotePeer().host());
            }
        }
    }
}
