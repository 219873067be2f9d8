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
        String path = req.path().path();
        if (LOG.isLoggable(Level.INFO) && !path.equals("/health")) {
            // logged when sent: error handlers run after the filter chain and set the final status
            res.whenSent(() -> LOG.log(Level.INFO, "service=" + service + " method=" + req.prologue().method().text()
                    + " path=" + path + " status=" + res.status().code()
                    + " ms=" + ((System.nanoTime() - start) / 1000) / 1000.0 + " peer=" + req.remotePeer().host()));
        }
        chain.proceed();
    }
}
