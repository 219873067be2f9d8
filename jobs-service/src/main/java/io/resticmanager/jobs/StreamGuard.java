package io.resticmanager.jobs;

import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Role;

import java.util.Optional;


/**
 * Helidon routes a WebSocket upgrade through the HTTP filters first, but answers a refused upgrade
 * with a bare 400. This filter (after InternalAuth) refuses bad stream requests with a proper problem
 * instead: 401/403 without a viewer principal, 404 for an unknown job.
 */
final class StreamGuard implements Filter {
    private final JobStore store;

    StreamGuard(JobStore store) {
        this.store = store;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<String> jobId = JobStreamEndpoint.jobId(req.path().path());
        if (req.prologue().method() != Method.GET || jobId.isEmpty()) {
            chain.proceed();
            return;
        }
        try {
            InternalAuth.require(req, Role.VIEWER);
            if (store.find(jobId.get()).isEmpty()) {
                throw Problem.notFound("no job " + jobId.get());
            }
        } catch (Problem p) {
            Http.problem(res, p.body());
            return;
        }
        chain.proceed();
    }
}
