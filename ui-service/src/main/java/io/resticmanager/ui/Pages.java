package io.resticmanager.ui;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.Principal;

import java.util.OptionalInt;

/**
 * Renders pages inside {@code layout.mustache}, or just a fragment for htmx partial requests, with the
 * headers every HTML answer carries (CSP, no caching of user data, {@code Vary: HX-Request}).
 */
final class Pages {
    static final HeaderName HX_REQUEST = HeaderNames.create("HX-Request");
    static final HeaderName HX_BOOSTED = HeaderNames.create("HX-Boosted");
    static final HeaderName HX_HISTORY_RESTORE = HeaderNames.create("HX-History-Restore-Request");
    static final HeaderName HX_REDIRECT = HeaderNames.create("HX-Redirect");
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    private final Templates templates;
    private final AlertFeed alerts;

    Pages(Templates templates) {
        this(templates, new AlertFeed(null));
    }

    /** {@code alerts}: where the nav badge's count of firing alerts comes from. */
    Pages(Templates templates, AlertFeed alerts) {
        this.templates = templates;
        this.alerts = alerts;
    }

    AlertFeed alerts() {
        return alerts;
    }

    /** What every template may use: the user, their role and the CSRF token for forms. */
    record Base(String csrf, String username, String role, boolean loggedIn, boolean operator, boolean admin) {
        static Base of(Session s) {
            return new Base(s.csrf(),
                            s.principal().map(Principal::username).orElse(""),
                            s.principal().map(p -> p.role().wire()).orElse(""),
                            s.loggedIn(), s.operator(), s.admin());
        }
    }

    /** The page frame: title, which nav entry is current, an optional banner and the rendered page. */
    record Layout(String title, String content, String banner, boolean navDashboard, boolean navRepos,
                  boolean navAddHost, boolean navAlerts, boolean navRpo, boolean navVersions, boolean navAdmin,
                  FiringBadge firingBadge) {
    }

    /** The nav's count of firing alerts, with the words a screen reader says ("3 firing alerts"). */
    record FiringBadge(int count, String label) {
        static FiringBadge of(OptionalInt firing) {
            return firing.isPresent() && firing.getAsInt() > 0
                    ? new FiringBadge(firing.getAsInt(), Views.firingLabel(firing.getAsInt())) : null;
        }
    }

    /**
     * htmx asks for a part of a page (polling, tabs, filters) with {@code HX-Request}; boosted links and
     * forms and history restores want the whole page.
     */
    static boolean fragmentRequested(ServerRequest req) {
        return req.headers().first(HX_REQUEST).filter("true"::equals).isPresent()
                && req.headers().first(HX_BOOSTED).filter("true"::equals).isEmpty()
                && req.headers().first(HX_HISTORY_RESTORE).filter("true"::equals).isEmpty();
    }

    void page(ServerResponse res, int status, Session session, String title, String nav, String template,
              Object model) {
        page(res, status, session, title, nav, null, template, model);
    }

    /**
     * A full page; the nav badge costs one {@code GET /api/alerts?state=firing} (none for a 5xx page: the API is
     * in trouble already, and the badge must never make a page slower or break it).
     */
    void page(ServerResponse res, int status, Session session, String title, String nav, String banner,
              String template, Object model) {
        OptionalInt firing = status < 500
                ? alerts.firing(session).map(f -> OptionalInt.of(f.count())).orElse(OptionalInt.empty())
                : OptionalInt.empty();
        page(res, status, session, title, nav, banner, template, model, firing);
    }

    /** A full page whose route read the firing alerts already ({@code firing}; empty: no badge). */
    void page(ServerResponse res, int status, Session session, String title, String nav, String banner,
              String template, Object model, OptionalInt firing) {
        Base base = Base.of(session);
        String content = templates.render(template, base, model);
        Layout layout = new Layout(title, content, banner, "dashboard".equals(nav), "repos".equals(nav),
                                   "add-host".equals(nav), "alerts".equals(nav), "rpo".equals(nav),
                                   "versions".equals(nav), "admin".equals(nav), FiringBadge.of(firing));
        send(res, status, templates.render("layout", base, layout));
    }

    void fragment(ServerResponse res, int status, Session session, String template, Object model) {
        send(res, status, templates.render(template, Base.of(session), model));
    }

    private static void send(ServerResponse res, int status, String html) {
        res.status(Status.create(status));
        htmlHeaders(res);
        res.send(html);
    }

    static void htmlHeaders(ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.header(HeaderNames.VARY, "HX-Request");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
    }

    /** A page or action that only a signed-in caller reaches; it is handed the caller's session. */
    @FunctionalInterface
    interface SignedInHandler {
        void handle(ServerRequest req, ServerResponse res, Session session) throws Exception;
    }

    /** Runs {@code handler} for a signed-in caller; anyone else is sent to the login page. */
    static Handler signedIn(SignedInHandler handler) {
        return (req, res) -> {
            Session session = Session.of(req);
            if (!session.loggedIn()) {
                redirect(req, res, "/login");
                return;
            }
            handler.handle(req, res, session);
        };
    }

    /**
     * 303 See Other after a successful POST (the browser, or htmx's XHR for boosted forms, follows it).
     * A partial htmx request cannot follow a redirect into its small target, so it gets {@code HX-Redirect}.
     */
    static void redirect(ServerRequest req, ServerResponse res, String location) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (fragmentRequested(req)) {
            res.header(HX_REDIRECT, location);
            res.status(Status.NO_CONTENT_204);
            res.send();
            return;
        }
        res.header(HeaderNames.LOCATION, location);
        res.status(Status.SEE_OTHER_303);
        res.send();
    }
}
