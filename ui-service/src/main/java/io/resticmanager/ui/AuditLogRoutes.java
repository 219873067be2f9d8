package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code /admin/audit} (admin): the audit log, newest first, filtered by user, action, target, result and a date
 * range (UTC days, both ends included), every filter kept in the URL so a view can be bookmarked and shared; older
 * pages by cursor. "Export CSV" links the gateway's streamed export with the same filters.
 */
final class AuditLogRoutes implements HttpService {
    static final int PAGE = 50;
    private static final List<String> RESULTS = List.of("ok", "denied", "failed");

    private final GatewayApi api;
    private final Pages pages;

    AuditLogRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    /** The filters as typed (dates as YYYY-MM-DD). */
    record Filter(String user, String action, String target, String result, String since, String until) {
        static Filter of(ServerRequest req) {
            String result = Http.query(req, "result").orElse("");
            return new Filter(q(req, "user"), q(req, "action"), q(req, "target"),
                              RESULTS.contains(result) ? result : "", q(req, "since"), q(req, "until"));
        }

        private static String q(ServerRequest req, String name) {
            String v = Http.query(req, name).orElse("").trim();
            return v.length() > 200 ? v.substring(0, 200) : v;
        }

        boolean any() {
            return !(user + action + target + result + since + until).isEmpty();
        }

        /** The page's own query string ("user=vera&result=denied"), empty filters left out. */
        String query() {
            StringJoiner out = new StringJoiner("&");
            params(false).forEach((k, v) -> out.add(k + "=" + Urls.enc(v)));
            return out.toString();
        }

        /**
         * The API's parameters: the "until" day is included, so the API's exclusive bound is the next midnight.
         * A date that is not one throws {@link Form.Invalid}.
         */
        Map<String, String> params(boolean forApi) {
            Map<String, String> out = new LinkedHashMap<>();
            put(out, "user", user);
            put(out, "action", action);
            put(out, "target", target);
            put(out, "result", result);
            put(out, "since", forApi ? date("From", since) : since);
            put(out, "until", forApi ? nextDay(date("To", until)) : until);
            return out;
        }

        private static void put(Map<String, String> out, String key, String value) {
            if (value != null && !value.isEmpty()) {
                out.put(key, value);
            }
        }

        private static String date(String label, String value) {
            if (value.isEmpty()) {
                return "";
            }
            try {
                return LocalDate.parse(value).toString();
            } catch (DateTimeParseException e) {
                throw new Form.Invalid(label + " must be a date (YYYY-MM-DD).");
            }
        }

        private static String nextDay(String date) {
            return date.isEmpty() ? "" : LocalDate.parse(date).plusDays(1).toString();
        }

        List<Views.Option> resultChoices() {
            List<Views.Option> out = new ArrayList<>();
            out.add(new Views.Option("", "Any result", result.isEmpty()));
            out.add(new Views.Option("ok", "OK", result.equals("ok")));
            out.add(new Views.Option("denied", "Denied (401, 403, 429)", result.equals("denied")));
            out.add(new Views.Option("failed", "Failed (other errors)", result.equals("failed")));
            return out;
        }
    }

    record Row(Format.When at, String user, String action, String target, Views.Badge result, int status,
               String sourceIp) {
    }

    record AuditPage(Admin.Tabs tabs, Filter filter, List<Views.Option> resultChoices, List<Row> rows, boolean empty,
                     String nextUrl, String firstUrl, String exportUrl, Views.ProblemView problem, boolean allowed,
                     int pageSize) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/audit", Pages.signedIn(this::list));
    }

    private void list(ServerRequest req, ServerResponse res, Session session) {
        Filter filter = Filter.of(req);
        if (!session.admin()) {
            pages.page(res, 403, session, "Audit log", "admin", "admin/audit",
                       new AuditPage(Admin.Tabs.audit(), filter, List.of(), List.of(), true, null, null, null,
                                     Admin.ADMINS_ONLY, false, PAGE));
            return;
        }
        String cursor = Http.query(req, "cursor").filter(c -> c.matches("[0-9]{1,19}")).orElse("");
        String own = filter.query();
        String first = cursor.isEmpty() ? null : "/admin/audit" + (own.isEmpty() ? "" : "?" + own);
        Map<String, String> params;
        try {
            params = filter.params(true);
        } catch (Form.Invalid e) {
            render(res, 422, session, filter, List.of(), null, first, null, Views.ProblemView.invalid(e.getMessage()));
            return;
        }
        String export = "/api/audit/export" + (params.isEmpty() ? "" : "?" + join(params));
        Map<String, String> query = new LinkedHashMap<>(params);
        query.put("limit", String.valueOf(PAGE));
        query.put("cursor", cursor);
        JsonNode answer;
        try {
            answer = api.get(session, "/api/audit", query);
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            render(res, e.status(), session, filter, List.of(), null, first, export, Views.ProblemView.of(e));
            return;
        }
        Instant now = Instant.now();
        List<Row> rows = new ArrayList<>();
        for (JsonNode a : Nodes.items(answer)) {
            rows.add(new Row(Format.when(Nodes.instant(a, "at"), now), Nodes.text(a, "user", ""),
                             Nodes.text(a, "action", ""), Nodes.text(a, "target", ""),
                             resultBadge(Nodes.text(a, "result", "")), a.path("status").asInt(),
                             Nodes.text(a, "source_ip", "")));
        }
        String next = Nodes.text(answer, "next_cursor");
        String nextUrl = next == null ? null : "/admin/audit?" + (own.isEmpty() ? "" : own + "&") + "cursor="
                + Urls.enc(next);
        render(res, 200, session, filter, rows, nextUrl, first, export, null);
    }

    private void render(ServerResponse res, int status, Session session, Filter filter, List<Row> rows, String next,
                        String first, String export, Views.ProblemView problem) {
        pages.page(res, status, session, "Audit log", "admin", "admin/audit",
                   new AuditPage(Admin.Tabs.audit(), filter, filter.resultChoices(), rows, rows.isEmpty(), next, first,
                                 export, problem, true, PAGE));
    }

    private static String join(Map<String, String> params) {
        StringJoiner out = new StringJoiner("&");
        params.forEach((k, v) -> out.add(k + "=" + Urls.enc(v)));
        return out.toString();
    }

    static Views.Badge resultBadge(String result) {
        return switch (result) {
            case "ok" -> new Views.Badge("succeeded", "OK", "✓");
            case "denied" -> new Views.Badge("warning", "Denied", "⊘");
            case "failed" -> new Views.Badge("failed", "Failed", "✗");
            default -> new Views.Badge("unknown", result.isEmpty() ? "Unknown" : result, "?");
        };
    }
}
