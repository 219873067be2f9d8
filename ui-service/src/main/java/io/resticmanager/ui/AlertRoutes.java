package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code /alerts}: the alerts as the API orders them (firing, then acknowledged, then resolved, newest first), with a
 * state and host filter; operators acknowledge, resolve and silence (one endpoint, {@code POST /alerts} with field
 * {@code action}), and see the active silences. {@code /rpo}: every host's last good backup against its target, worst
 * first, polled every 30 s: the page an on-call person opens first.
 */
final class AlertRoutes implements HttpService {
    /** The most alerts the page lists; older ones are a filter away. */
    static final int PAGE = 200;
    private static final List<String> STATES = List.of("firing", "acknowledged", "resolved");
    /** Silence lengths offered: seconds and words. */
    private static final List<String[]> DURATIONS = List.of(new String[] {"3600", "1 hour"},
                                                            new String[] {"14400", "4 hours"},
                                                            new String[] {"86400", "1 day"},
                                                            new String[] {"604800", "1 week"});

    private final GatewayApi api;
    private final Pages pages;

    AlertRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record HostRef(String id, String name, boolean known) {
    }

    record AlertRow(String id, Views.Badge severity, String rule, String ruleKey, HostRef host, String summary,
                    Format.When fired, Views.Badge state, boolean silenced, String jobId, String ackedBy,
                    Format.When acked, String resolvedBy, Format.When resolved, boolean canAck, boolean canResolve) {
        /** "Silence…" prefills the form with this alert's rule and host. */
        String silenceUrl() {
            return "/alerts?silence_rule=" + Urls.enc(ruleKey) + (host == null ? ""
                    : "&silence_host=" + Urls.enc(host.id())) + "#silence";
        }
    }

    /** The list's filter, carried through the row forms so a POST comes back to the same list. */
    record Filter(String state, String hostId) {
        static Filter of(String state, String hostId) {
            return new Filter(STATES.contains(state) ? state : "", hostId == null ? "" : hostId.trim());
        }

        boolean active() {
            return !state.isEmpty() || !hostId.isEmpty();
        }

        String url(String saved) {
            StringBuilder url = new StringBuilder("/alerts");
            String sep = "?";
            if (saved != null) {
                url.append(sep).append("saved=").append(saved);
                sep = "&";
            }
            if (!state.isEmpty()) {
                url.append(sep).append("state=").append(state);
                sep = "&";
            }
            if (!hostId.isEmpty()) {
                url.append(sep).append("host_id=").append(Urls.enc(hostId));
            }
            return url.toString();
        }
    }

    /** The silence form as the operator filled it in (kept when the API refuses it). */
    record SilenceForm(String rule, String hostId, String duration, String reason) {
        static final SilenceForm EMPTY = new SilenceForm("", "", "3600", "");
    }

    record SilenceRow(String id, String rule, HostRef host, Format.When until, String reason, String createdBy) {
    }

    record AlertsPage(List<AlertRow> rows, boolean empty, boolean truncated, Filter filter,
                      List<Views.Option> stateOptions, List<Views.Option> hostOptions, String saved, Views.ProblemView problem,
                      Views.ProblemView silenceProblem, SilenceForm silence, List<Views.Option> ruleChoices,
                      List<Views.Option> silenceHostChoices, List<Views.Option> durationChoices,
                      List<SilenceRow> silences, boolean silencesUnknown) {
        boolean hasSilences() {
            return silences != null && !silences.isEmpty();
        }

        boolean noSilences() {
            return silences != null && silences.isEmpty();
        }

        int limit() {
            return PAGE;
        }
    }

    record Meter(long value, long low, long high, long max) {
    }

    /**
     * {@code restorable}: the time of the newest snapshot a restore drill proved; {@code drill}: the host's latest
     * drill when it did not pass (shown beside it, so "restorable as of" is never read as current when it is not).
     */
    record RpoRow(HostRef host, String status, Views.Badge badge, Format.When lastGood, String target, String age,
                  String ofTarget, Meter meter, Format.When restorable, DrillMark drill) {
    }

    /** A host's latest drill that failed: its badge and the job to look at. */
    record DrillMark(String jobId, Views.Badge badge) {
    }

    record RpoCounts(int red, int amber, int green, int none) {
    }

    record RpoPage(List<RpoRow> rows, boolean empty, RpoCounts counts, Format.When at, Views.ProblemView unavailable) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/alerts", Pages.signedIn(this::list))
                .post("/alerts", Pages.signedIn(this::act))
                .get("/rpo", Pages.signedIn(this::rpo));
    }

    // ---- /alerts ----

    private void list(ServerRequest req, ServerResponse res, Session session) {
        Filter filter = Filter.of(Http.query(req, "state").orElse(""), Http.query(req, "host_id").orElse(""));
        String saved = switch (req.query().first("saved").orElse("")) {
            case "ack" -> "Alert acknowledged: it is not sent again; it resolves by itself when the cause is gone.";
            case "resolve" -> "Alert resolved.";
            case "silence" -> "Silence added: matching alerts are still recorded; nobody is notified until it ends.";
            case "unsilence" -> "Silence ended.";
            default -> null;
        };
        SilenceForm silence = new SilenceForm(Http.query(req, "silence_rule").orElse(""),
                                              Http.query(req, "silence_host").orElse(""), "3600", "");
        render(res, 200, session, filter, saved, null, null, silence);
    }

    /** One endpoint for the page's forms: field {@code action} = ack, resolve, silence or unsilence. */
    private void act(ServerRequest req, ServerResponse res, Session session) {
        Form form = Form.read(req);
        String action = form.get("action");
        Filter filter = Filter.of(form.get("filter_state"), form.get("filter_host"));
        SilenceForm silence = action.equals("silence") ? new SilenceForm(form.get("rule"), form.get("host_id"),
                form.get("duration_s"), form.get("reason")) : SilenceForm.EMPTY;
        if (!session.operator()) {
            render(res, 403, session, filter, null, new Views.ProblemView("Not allowed",
                    "Acknowledging, resolving and silencing alerts needs the operator role."), null, silence);
            return;
        }
        try {
            switch (action) {
                case "ack", "resolve" -> {
                    String id = form.get("alert_id");
                    if (id.isEmpty()) {
                        throw new Form.Invalid("Which alert? The form is missing its alert.");
                    }
                    api.post(session, "/api/alerts/" + Urls.enc(id) + "/" + action, null);
                    Pages.redirect(req, res, filter.url(action));
                }
                case "silence" -> {
                    api.post(session, "/api/alerts/silences", silenceBody(silence));
                    Pages.redirect(req, res, filter.url("silence"));
                }
                case "unsilence" -> {
                    String id = form.get("silence_id");
                    if (id.isEmpty()) {
                        throw new Form.Invalid("Which silence? The form is missing its silence.");
                    }
                    api.delete(session, "/api/alerts/silences/" + Urls.enc(id));
                    Pages.redirect(req, res, filter.url("unsilence"));
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        } catch (Form.Invalid e) {
            problem(res, 422, session, filter, action, Views.ProblemView.invalid(e.getMessage()), silence);
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            problem(res, e.status(), session, filter, action, Views.ProblemView.of(e), silence);
        }
    }

    /** {@code {rule?, host_id?, duration_s, reason?}}: at least a rule or a host, one of the offered lengths. */
    static Map<String, Object> silenceBody(SilenceForm f) {
        if (f.rule().isEmpty() && f.hostId().isEmpty()) {
            throw new Form.Invalid("Choose a rule, a host or both: a silence of everything would hide every alert.");
        }
        if (DURATIONS.stream().noneMatch(d -> d[0].equals(f.duration()))) {
            throw new Form.Invalid("Choose how long the silence lasts.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (!f.rule().isEmpty()) {
            body.put("rule", f.rule());
        }
        if (!f.hostId().isEmpty()) {
            body.put("host_id", f.hostId());
        }
        body.put("duration_s", Long.parseLong(f.duration()));
        if (!f.reason().isEmpty()) {
            body.put("reason", f.reason());
        }
        return body;
    }

    /** The page again with the problem where it belongs: next to the silence form, or above the list. */
    private void problem(ServerResponse res, int status, Session session, Filter filter, String action,
                         Views.ProblemView problem, SilenceForm silence) {
        boolean silencing = action.equals("silence");
        render(res, status, session, filter, null, silencing ? null : problem, silencing ? problem : null, silence);
    }

    private void render(ServerResponse res, int status, Session session, Filter filter, String saved,
                        Views.ProblemView problem, Views.ProblemView silenceProblem, SilenceForm silence) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("state", filter.state());
        query.put("host_id", filter.hostId());
        query.put("limit", String.valueOf(PAGE));
        List<JsonNode> items = Nodes.items(api.get(session, "/api/alerts", query));
        List<JsonNode> hosts = hosts(api, session);
        Map<String, String> names = names(hosts);
        Instant now = Instant.now();
        List<AlertRow> rows = new ArrayList<>();
        for (JsonNode a : items) {
            rows.add(row(a, names, now));
        }
        List<Views.Option> stateOptions = new ArrayList<>();
        stateOptions.add(new Views.Option("", "Every state", filter.state().isEmpty()));
        STATES.forEach(s -> stateOptions.add(new Views.Option(s, Views.alertStateBadge(s).label(),
                                                              s.equals(filter.state()))));
        List<Views.Option> hostOptions = hostOptions(hosts, filter.hostId(), "Every host");
        List<Views.Option> rules = new ArrayList<>();
        rules.add(new Views.Option("", "Every rule", silence.rule().isEmpty()));
        Views.RULES.forEach(r -> rules.add(new Views.Option(r, Views.ruleLabel(r), r.equals(silence.rule()))));
        List<Views.Option> durations = new ArrayList<>();
        DURATIONS.forEach(d -> durations.add(new Views.Option(d[0], d[1], d[0].equals(silence.duration()))));
        List<SilenceRow> silences = silences(session, names, now);
        pages.page(res, status, session, "Alerts", "alerts", null, "alerts/index",
                   new AlertsPage(rows, rows.isEmpty(), items.size() >= PAGE, filter, stateOptions, hostOptions, saved,
                                  problem, silenceProblem, silence, rules,
                                  hostOptions(hosts, silence.hostId(), "Every host"), durations, silences,
                                  silences == null));
    }

    static AlertRow row(JsonNode a, Map<String, String> names, Instant now) {
        String state = Nodes.text(a, "state", "");
        String hostId = Nodes.text(a, "host_id");
        String rule = Nodes.text(a, "rule", "");
        return new AlertRow(Nodes.text(a, "id", ""), Views.severityBadge(Nodes.text(a, "severity")),
                            Views.ruleLabel(rule), rule, host(hostId, names), Nodes.text(a, "summary"),
                            Format.when(Nodes.instant(a, "fired_at"), now), Views.alertStateBadge(state),
                            a.path("silenced").asBoolean(false), Nodes.text(a, "job_id"), Nodes.text(a, "acked_by"),
                            Format.when(Nodes.instant(a, "acked_at"), now), Nodes.text(a, "resolved_by"),
                            Format.when(Nodes.instant(a, "resolved_at"), now), state.equals("firing"),
                            !state.equals("resolved"));
    }

    /** The active silences, or null when they cannot be read (the rest of the page still shows). */
    private List<SilenceRow> silences(Session session, Map<String, String> names, Instant now) {
        try {
            List<SilenceRow> rows = new ArrayList<>();
            for (JsonNode s : Nodes.items(api.get(session, "/api/alerts/silences"))) {
                String rule = Nodes.text(s, "rule");
                rows.add(new SilenceRow(Nodes.text(s, "id", ""), rule == null ? null : Views.ruleLabel(rule),
                                        host(Nodes.text(s, "host_id"), names),
                                        Format.when(Nodes.instant(s, "until"), now), Nodes.text(s, "reason"),
                                        Nodes.text(s, "created_by")));
            }
            return rows;
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            return null;
        }
    }

    // ---- /rpo ----

    private void rpo(ServerRequest req, ServerResponse res, Session session) {
        RpoPage page;
        try {
            JsonNode rpo = api.get(session, "/api/alerts/rpo");
            page = rpoPage(rpo, names(hosts(api, session)), Instant.now());
        } catch (ApiException e) {
            if (!e.unavailable()) {
                throw e;
            }
            // keep the polling element: the page recovers by itself when the API is back
            page = new RpoPage(List.of(), false, new RpoCounts(0, 0, 0, 0), null, Views.ProblemView.of(e));
        }
        int status = page.unavailable() == null ? 200 : 503;
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, status, session, "alerts/_rpo", page);
        } else {
            pages.page(res, status, session, "Fleet RPO", "rpo", "alerts/rpo", page);
        }
    }

    /** The rows in the API's order (worst first: red, no schedule, amber, green). */
    static RpoPage rpoPage(JsonNode rpo, Map<String, String> names, Instant now) {
        List<RpoRow> rows = new ArrayList<>();
        int red = 0;
        int amber = 0;
        int green = 0;
        int none = 0;
        for (JsonNode r : Nodes.items(rpo)) {
            String status = Nodes.text(r, "status", "");
            switch (status) {
                case "red" -> red++;
                case "amber" -> amber++;
                case "green" -> green++;
                default -> none++;
            }
            OptionalLong target = Nodes.number(r, "target_s");
            OptionalLong age = Nodes.number(r, "age_s");
            Meter meter = null;
            String ofTarget = null;
            if (target.isPresent() && target.getAsLong() > 0 && age.isPresent()) {
                long t = target.getAsLong();
                // max past the target so a missed one shows as over the line; low = the amber mark (3/4)
                meter = new Meter(Math.min(age.getAsLong(), t * 5 / 4), t * 3 / 4, t, t * 5 / 4);
                ofTarget = Math.round(100.0 * age.getAsLong() / t) + "% of target";
            }
            rows.add(new RpoRow(host(Nodes.text(r, "host_id"), names), status, rpoBadge(status),
                                Format.when(Nodes.instant(r, "last_good_at"), now),
                                target.isPresent() ? Format.duration(Duration.ofSeconds(target.getAsLong())) : null,
                                age.isPresent() ? Format.duration(Duration.ofSeconds(age.getAsLong())) : null,
                                ofTarget, meter, Format.when(Nodes.instant(r, "restorable_as_of"), now), drillMark(r)));
        }
        return new RpoPage(rows, rows.isEmpty(), new RpoCounts(red, amber, green, none),
                           Format.when(Nodes.instant(rpo, "at"), now), null);
    }

    private static DrillMark drillMark(JsonNode row) {
        JsonNode d = row.path("last_drill");
        String status = Nodes.text(d, "status");
        if (!d.isObject() || status == null || status.equals("succeeded")) {
            return null;
        }
        return new DrillMark(Nodes.text(d, "job_id", ""), Views.jobBadge(status));
    }

    /** Colour, shape and words: the status reads the same to colour-blind eyes. */
    static Views.Badge rpoBadge(String status) {
        return switch (status == null ? "" : status) {
            case "red" -> new Views.Badge("rpo-red", "Target missed", "✗");
            case "amber" -> new Views.Badge("rpo-amber", "Close to target", "⚠");
            case "green" -> new Views.Badge("rpo-green", "Within target", "✓");
            case "no_schedule" -> new Views.Badge("rpo-none", "No backup schedule", "–");
            default -> new Views.Badge("unknown", status == null || status.isBlank() ? "Unknown" : status, "?");
        };
    }

    // ---- hosts, read leniently: a page about alerts must not fail because names are missing ----

    static List<JsonNode> hosts(GatewayApi api, Session session) {
        try {
            return Nodes.items(api.get(session, "/api/hosts"));
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            return List.of();
        }
    }

    static Map<String, String> names(List<JsonNode> hosts) {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode h : hosts) {
            String id = Nodes.text(h, "id");
            if (id != null) {
                names.put(id, Nodes.text(h, "name", Views.shortId(id)));
            }
        }
        return names;
    }

    /** A host by id: its name and a link when it is enrolled, else its short id; null for no host. */
    static HostRef host(String id, Map<String, String> names) {
        if (id == null || id.isBlank()) {
            return null;
        }
        String name = names.get(id);
        return new HostRef(id, name == null ? Views.shortId(id) : name, name != null);
    }

    static List<Views.Option> hostOptions(List<JsonNode> hosts, String selected, String none) {
        List<Views.Option> options = new ArrayList<>();
        options.add(new Views.Option("", none, selected.isEmpty()));
        boolean found = false;
        for (JsonNode h : hosts) {
            String id = Nodes.text(h, "id", "");
            if (!id.isEmpty()) {
                found |= id.equals(selected);
                options.add(new Views.Option(id, Nodes.text(h, "name", Views.shortId(id)), id.equals(selected)));
            }
        }
        if (!found && !selected.isEmpty()) {
            options.add(new Views.Option(selected, Views.shortId(selected), true));
        }
        return options;
    }
}
