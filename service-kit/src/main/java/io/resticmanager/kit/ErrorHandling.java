package io.resticmanager.kit;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.HttpRouting;
import io.resticmanager.proto.ProblemBody;

import java.lang.System.Logger.Level;

/** Maps every error of every service to one RFC 9457 problem body; never a stack trace on the wire. */
public final class ErrorHandling {
    private static final System.Logger LOG = System.getLogger(ErrorHandling.class.getName());

    private ErrorHandling() {
    }

    /** Helidon's messages are written for clients only for the plain cases; otherwise the reason phrase. */
    private static String clientMessage(HttpException e, int code) {
        String message = e.getMessage();
        if (code == 404) {
            return "no such resource";
        }
        return message == null || message.isBlank() || message.length() > 200 ? "request refused: "
                + e.status().reasonPhrase().toLowerCase(java.util.Locale.ROOT) : message;
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(Problem.class, (req, res, e) -> Http.problem(res, e.body()));
        routing.error(RequestException.class, (req, res, e) -> Http.problem(res, ProblemBody.of(
                e.status().code(), e.status().reasonPhrase(), e.safeMessage() ? e.getMessage() : "bad request")));
        // Helidon's own (not found, method not allowed, payload too large, unsupported media type, …): the
        // client's mistake is its 4xx with no stack trace; a 5xx among them is ours and logged as such
        routing.error(HttpException.class, (req, res, e) -> {
            int code = e.status().code();
            if (code >= 500) {
                LOG.log(Level.ERROR, "server error on " + req.prologue().method().text() + " " + req.path().path(), e);
                Http.problem(res, ProblemBody.of(code, e.status().reasonPhrase(), "unexpected error; see the "
                        + "service log"));
            } else {
                Http.problem(res, ProblemBody.of(code, e.status().reasonPhrase(), clientMessage(e, code)));
            }
        });
        // the client announced a Content-Length and hung up before sending it all
        routing.error(DataReader.InsufficientDataAvailableException.class, (req, res, e) -> Http.problem(res,
                ProblemBody.of(400, "Bad Request", "request body ended before its declared length")));
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
