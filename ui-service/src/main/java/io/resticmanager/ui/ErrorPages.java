package io.resticmanager.ui;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.lang.System.Logger.Level;

/**
 * Errors as pages people can read: an expired session goes back to the login page, an API that is down
 * becomes a "service unavailable" banner, a refusal shows the API's own words; never a stack trace.
 */
final class ErrorPages {
    private static final System.Logger LOG = System.getLogger(ErrorPages.class.getName());
    private final Pages pages;

    ErrorPages(Pages pages) {
        this.pages = pages;
    }

    record ErrorView(int status, String title, String detail, boolean unavailable) {
    }

    void register(HttpRouting.Builder routing) {
        routing.error(ApiException.class, this::api);
        routing.error(Form.Invalid.class, (req, res, e) ->
                show(req, res, new ErrorView(400, "Please check the form", e.getMessage(), false)));
        routing.error(RuntimeException.class, this::unexpected);
    }

    private void api(ServerRequest req, ServerResponse res, ApiException e) {
        if (e.unauthenticated()) {
            Pages.redirect(req, res, "/login");
            return;
        }
        String title = switch (e.status()) {
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            default -> e.title();
        };
        show(req, res, new ErrorView(e.unavailable() ? 503 : e.status(), e.unavailable() ? "Service unavailable"
                : title, e.detail(), e.unavailable()));
    }

    private void unexpected(ServerRequest req, ServerResponse res, RuntimeException e) {
        LOG.log(Level.ERROR, "unexpected error on " + req.prologue().method().text() + " " + req.path().path(), e);
        show(req, res, new ErrorView(500, "Something went wrong",
                                     "The page could not be shown. The error has been logged.", false));
    }

    void notFound(ServerRequest req, ServerResponse res) {
        show(req, res, new ErrorView(404, "Not found", "There is no page at this address.", false));
    }

    private void show(ServerRequest req, ServerResponse res, ErrorView view) {
        Session session = Session.of(req);
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, view.status(), session, "errors/_problem", view);
        } else {
            pages.page(res, view.status(), session, view.title(), "", "errors/show", view);
        }
    }
}
