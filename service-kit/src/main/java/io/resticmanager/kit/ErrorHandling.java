package io.resticmanager.kit;

import io.helidon.http.RequestException;
import io.helidon.webserver.http.HttpRouting;
import io.resticmanager.proto.ProblemBody;

import java.lang.System.Logger.Level;

/** Maps every error of every service to one RFC 9457 problem body; never a stack trace on the wire. */
public final class ErrorHandling {
    private static final System.Logger LOG = System.getLogger(ErrorHandling.class.getName());

    private ErrorHandling() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(Problem.class, (req, res, e) -> Http.problem(res, e.body()));
        routing.error(RequestException.class, (req, res, e) -> Http.problem(res, ProblemBody.of(
                e.status().code(), e.status().reasonPhrase(), e.safeMessage() ? e.getMessage() : "bad request")));
        routing.error(IllegalArgumentException.class, (req, res, e) -> Http.problem(res, ProblemBody.of(
                400, "Bad Request", e.getMessage())));
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.ERROR, "unhandled error on " + req.prologue().method().text() + " "
                    + req.path().path(), e);
            Http.problem(res, ProblemBody.of(500, "Internal Server Error",
                                             "unexpected error; see the service log"));
        });
    }
}
