package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@code /alerts/rules}: every alert rule with what it watches, whether it is on, its severity, its threshold and how
 * often a firing alert is sent again, then the per-host and per-schedule overrides. Everyone reads; admins edit each
 * rule in its row ({@code PATCH} of the fields they changed), add overrides ({@code PUT}) and remove them
 * ({@code DELETE …?subject=}). Times are typed as a number and a unit and sent as seconds.
 */
final class RuleRoutes implements HttpService {
    private static final List<String> SEVERITIES = List.of("info", "warning", "critical");
    /** The units a time is typed in: form value, seconds, words. */
    private static final List<Unit> UNITS = List.of(new Unit("minutes", 60), new Unit("hours", 3600),
                                                    new Unit("days", 86_400));
    /** Only offered when a stored value is not a whole number of minutes (set through the API). */
    private static final Unit SECONDS = new Unit("seconds", 1);
    /** The API's bound for every threshold and reminder. */
    private static final long YEAR = 365L * 86_400;
    /** The rules that take a threshold, and the ones whose override may carry one (the engine reads only these). */
    private static final List<String> THRESHOLD_RULES = List.of("host_offline", "rpo_breached", "repo_locked");
    private static final List<String> OVERRIDE_THRESHOLD_RULES = List.of("host_offline", "rpo_breached");

    private final GatewayApi api;
    private final Pages pages;

    RuleRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record Unit(String name, long seconds) {
    }

    /** A time as a number input and a unit select. */
    record Amount(String value, List<Views.Option> units) {
        static Amount of(String value, String unit) {
            List<Views.Option> units = new ArrayList<>();
            String chosen = unit(unit) == null ? "hours" : unit;
            if (chosen.equals(SECONDS.name())) {
                units.add(new Views.Option(SECONDS.name(), SECONDS.name(), true));
            }
            UNITS.forEach(u -> units.add(new Views.Option(u.name(), u.name(), u.name().equals(chosen))));
            return new Amount(value, units);
        }

        /** Seconds in the largest unit they fill exactly (7200 → 2 hours); null → empty, in {@code emptyUnit}. */
        static Amount of(Long seconds, String emptyUnit) {
            if (seconds == null) {
                return of("", emptyUnit);
            }
            for (int i = UNITS.size() - 1; i >= 0; i--) {
                Unit u = UNITS.get(i);
                if (seconds > 0 && seconds % u.seconds() == 0 || seconds == 0 && i == 0) {
                    return of(String.valueOf(seconds / u.seconds()), u.name());
                }
            }
            return of(String.valueOf(seconds), SECONDS.name());
        }
    }

    /** One rule: what it is, its settings in words, and (for admins) its row's inputs. */
    record RuleRow(String rule, String label, String description, boolean enabled, Views.Badge severity,
                   boolean hasThreshold, String thresholdMeaning, String threshold, String thresholdDefault,
                   String renotify, boolean editEnabled, List<Views.Option> severityChoices, Amount thresholdInput,
                   Amount renotifyInput, String wasSeverity, String wasThreshold, String wasRenotify,
                   Views.ProblemView problem) {
    }

    /** The rule form as the admin filled it in (kept when it comes back with a problem). */
    record RuleEdit(String rule, boolean enabled, String severity, String threshold, String thresholdUnit,
                    String renotify, String renotifyUnit) {
        static RuleEdit read(Form form) {
            return new RuleEdit(form.get("rule"), form.checked("enabled"), form.get("severity"), form.get("threshold"),
                                form.get("threshold_unit"), form.get("renotify"), form.get("renotify_unit"));
        }
    }

    record OverrideRow(String key, String rule, String ruleLabel, String subject, AlertRoutes.HostRef host,
                       String scheduleId, String other, String enabled, String threshold) {
    }

    /** The add-override form: the choices and what was typed. */
    record OverrideForm(List<Views.Option> ruleChoices, List<Views.Option> hostChoices, String scheduleId,
                        List<Views.Option> enabledChoices, Amount threshold, Views.ProblemView problem) {
        static OverrideForm of(String rule, String hostId, String scheduleId, String enabled, String threshold,
                               String thresholdUnit, List<JsonNode> hosts, Views.ProblemView problem) {
            List<Views.Option> rules = new ArrayList<>();
            Views.RULES.forEach(r -> rules.add(new Views.Option(r, Views.ruleLabel(r), r.equals(rule))));
            List<Views.Option> enabledChoices = List.of(
                    new Views.Option("", "As the rule", !enabled.equals("yes") && !enabled.equals("no")),
                    new Views.Option("yes", "Yes: on for this one", enabled.equals("yes")),
                    new Views.Option("no", "No: off for this one", enabled.equals("no")));
            return new OverrideForm(rules, AlertRoutes.hostOptions(hosts, hostId, "No host: a schedule"), scheduleId,
                                    enabledChoices, Amount.of(threshold, thresholdUnit), problem);
        }

        static OverrideForm empty(List<JsonNode> hosts) {
            return of("host_offline", "", "", "", "", "minutes", hosts, null);
        }

        static OverrideForm read(Form form, List<JsonNode> hosts, Views.ProblemView problem) {
            return of(form.get("rule"), form.get("host_id"), form.get("schedule_id"), form.get("enabled"),
                      form.get("threshold"), form.get("threshold_unit"), hosts, problem);
        }
    }

    record RulesPage(List<RuleRow> rules, List<OverrideRow> overrides, boolean noOverrides, OverrideForm add,
                     String saved, Views.ProblemView problem) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/alerts/rules", Pages.signedIn(this::list))
                .post("/alerts/rules", Pages.signedIn(this::act));
    }

    private void list(ServerRequest req, ServerResponse res, Session session) {
        String saved = switch (req.query().first("saved").orElse("")) {
            case "rule" -> "Rule saved.";
            case "unchanged" -> "Nothing changed.";
            case "override" -> "Override saved (it replaces an earlier one for the same rule and subject).";
            case "override_deleted" -> "Override removed: the rule's own settings apply again.";
            default -> null;
        };
        render(res, 200, session, saved, null, null, null, null);
    }

    /** One endpoint for the page's forms: field {@code action} = rule, override or delete_override. */
    private void act(ServerRequest req, ServerResponse res, Session session) {
        Form form = Form.read(req);
        String action = form.get("action");
        if (!session.admin()) {
            render(res, 403, session, null, new Views.ProblemView("Not allowed",
                    "Changing alert rules and overrides needs the admin role."), null, null, null);
            return;
        }
        Form.act(() -> {
            switch (action) {
                case "rule" -> {
                    String rule = rule(form);
                    Map<String, Object> body = patchBody(form);
                    if (body.isEmpty()) {
                        Pages.redirect(req, res, "/alerts/rules?saved=unchanged");
                        return;
                    }
                    api.patch(session, "/api/alerts/rules/" + Urls.enc(rule), body);
                    Pages.redirect(req, res, "/alerts/rules?saved=rule");
                }
                case "override" -> {
                    String rule = rule(form);
                    api.put(session, "/api/alerts/rules/" + Urls.enc(rule) + "/overrides", overrideBody(form));
                    Pages.redirect(req, res, "/alerts/rules?saved=override");
                }
                case "delete_override" -> {
                    String rule = rule(form);
                    String subject = form.get("subject");
                    if (subject.isEmpty()) {
                        throw new Form.Invalid("Which override? The form is missing its host or schedule.");
                    }
                    api.call(session, Method.DELETE, "/api/alerts/rules/" + Urls.enc(rule) + "/overrides",
                             Map.of("subject", subject), null);
                    Pages.redirect(req, res, "/alerts/rules?saved=override_deleted");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        }, (status, problem) -> failed(res, status, session, form, action, problem));
    }

    /** The problem next to what caused it: the rule's row, the add form, or above the page (a delete). */
    private void failed(ServerResponse res, int status, Session session, Form form, String action,
                        Views.ProblemView problem) {
        switch (action) {
            case "rule" -> render(res, status, session, null, null, RuleEdit.read(form), problem, null);
            case "override" -> render(res, status, session, null, null, null, null,
                                      new FormWithProblem(form, problem));
            default -> render(res, status, session, null, problem, null, null, null);
        }
    }

    private static String rule(Form form) {
        String rule = form.get("rule");
        if (rule.isEmpty()) {
            throw new Form.Invalid("Which rule? The form is missing its rule.");
        }
        return rule;
    }

    /**
     * {@code {enabled?, severity?, threshold_s?, renotify_s?}}: only what differs from the {@code was_…} values the
     * row was shown with (a form without them sends everything it has). An emptied threshold is an explicit null:
     * the rule's default.
     */
    static Map<String, Object> patchBody(Form form) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean enabled = form.checked("enabled");
        if (!form.has("was_enabled") || enabled != form.checked("was_enabled")) {
            body.put("enabled", enabled);
        }
        if (form.has("severity")) {
            String severity = form.get("severity");
            if (!SEVERITIES.contains(severity)) {
                throw new Form.Invalid("Choose a severity: info, warning or critical.");
            }
            if (!form.has("was_severity") || !severity.equals(form.get("was_severity"))) {
                body.put("severity", severity);
            }
        }
        if (form.has("threshold")) {
            Long threshold = seconds(form, "threshold", "The threshold");
            if (!form.has("was_threshold_s") || !Objects.equals(threshold, was(form, "was_threshold_s"))) {
                body.put("threshold_s", threshold == null ? JobFields.CLEAR : threshold);
            }
        }
        if (form.has("renotify")) {
            Long renotify = seconds(form, "renotify", "The reminder interval");
            if (renotify == null) {
                throw new Form.Invalid("Enter how often a firing alert is sent again (0 = never).");
            }
            if (!form.has("was_renotify_s") || !renotify.equals(was(form, "was_renotify_s"))) {
                body.put("renotify_s", renotify);
            }
        }
        return body;
    }

    /**
     * {@code {subject, enabled?, threshold_s?}}: a host or a schedule (one of them), yes/no or left out (the rule's
     * value), a threshold or left out.
     */
    static Map<String, Object> overrideBody(Form form) {
        String rule = form.get("rule");
        String hostId = form.get("host_id");
        String scheduleId = form.get("schedule_id");
        if (hostId.isEmpty() == scheduleId.isEmpty()) {
            throw new Form.Invalid("Choose a host or enter a schedule id: one of them, not both.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", hostId.isEmpty() ? "schedule:" + scheduleId : "host:" + hostId);
        switch (form.get("enabled")) {
            case "yes" -> body.put("enabled", true);
            case "no" -> body.put("enabled", false);
            default -> {
            }
        }
        Long threshold = seconds(form, "threshold", "The threshold");
        if (threshold != null) {
            if (!OVERRIDE_THRESHOLD_RULES.contains(rule)) {
                throw new Form.Invalid("A threshold counts only for " + Views.ruleLabel("host_offline") + " and "
                        + Views.ruleLabel("rpo_breached") + "; leave it empty for " + Views.ruleLabel(rule) + ".");
            }
            body.put("threshold_s", threshold);
        }
        if (body.size() == 1) {
            throw new Form.Invalid("Set enabled or a threshold: an override without either changes nothing.");
        }
        return body;
    }

    /** A number and its unit ({@code field}, {@code field_unit}) in seconds; null when the number is empty. */
    static Long seconds(Form form, String field, String label) {
        String value = form.get(field);
        if (value.isEmpty()) {
            return null;
        }
        Unit unit = unit(form.get(field + "_unit"));
        if (unit == null) {
            throw new Form.Invalid(label + ": choose minutes, hours or days.");
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Form.Invalid(label + " must be a whole number (" + value + " is not).");
        }
        if (n < 0 || n > YEAR / unit.seconds()) {
            throw new Form.Invalid(label + " must be from 0 to 365 days.");
        }
        return n * unit.seconds();
    }

    private static Unit unit(String name) {
        if (SECONDS.name().equals(name)) {
            return SECONDS;
        }
        return UNITS.stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
    }

    /** A {@code was_…} value: seconds, or null for empty (or unreadable: then it counts as changed). */
    private static Long was(Form form, String field) {
        String v = form.get(field);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private void render(ServerResponse res, int status, Session session, String saved, Views.ProblemView problem,
                        RuleEdit kept, Views.ProblemView ruleProblem, FormWithProblem add) {
        JsonNode answer = api.get(session, "/api/alerts/rules");
        List<JsonNode> hosts = AlertRoutes.hosts(api, session);
        Map<String, String> names = AlertRoutes.names(hosts);
        List<JsonNode> items = Nodes.items(answer);
        items.sort(Comparator.comparingInt(r -> order(Nodes.text(r, "rule", ""))));
        List<RuleRow> rows = new ArrayList<>();
        for (JsonNode r : items) {
            String rule = Nodes.text(r, "rule", "");
            boolean mine = kept != null && kept.rule().equals(rule);
            rows.add(row(r, mine ? kept : null, mine ? ruleProblem : null));
        }
        List<JsonNode> raw = new ArrayList<>();
        answer.path("overrides").forEach(raw::add);
        raw.sort(Comparator.<JsonNode>comparingInt(o -> order(Nodes.text(o, "rule", "")))
                         .thenComparing(o -> Nodes.text(o, "subject", "")));
        List<OverrideRow> overrides = raw.stream().map(o -> overrideRow(o, names)).toList();
        OverrideForm form = add == null ? OverrideForm.empty(hosts) : OverrideForm.read(add.form(), hosts,
                                                                                          add.problem());
        pages.page(res, status, session, "Alert rules", "alerts", "alerts/rules",
                   new RulesPage(rows, overrides, overrides.isEmpty(), form, saved, problem));
    }

    /** The add form's input with the problem it came back with. */
    record FormWithProblem(Form form, Views.ProblemView problem) {
    }

    private static int order(String rule) {
        int i = Views.RULES.indexOf(rule);
        return i < 0 ? Views.RULES.size() : i;
    }

    static RuleRow row(JsonNode r, RuleEdit kept, Views.ProblemView problem) {
        String rule = Nodes.text(r, "rule", "");
        boolean enabled = r.path("enabled").asBoolean(true);
        String severity = Nodes.text(r, "severity", "");
        OptionalLong thresholdS = Nodes.number(r, "threshold_s");
        Long threshold = thresholdS.isPresent() ? thresholdS.getAsLong() : null;
        long renotify = Nodes.number(r, "renotify_s").orElse(14_400);
        boolean hasThreshold = THRESHOLD_RULES.contains(rule);
        String shownSeverity = kept == null ? severity : kept.severity();
        List<Views.Option> severities = new ArrayList<>();
        SEVERITIES.forEach(s -> severities.add(new Views.Option(s, Views.severityBadge(s).label(),
                                                                s.equals(shownSeverity))));
        String emptyUnit = rule.equals("host_offline") ? "minutes" : "hours";
        Amount thresholdInput = kept == null ? Amount.of(threshold, emptyUnit)
                : Amount.of(kept.threshold(), kept.thresholdUnit());
        Amount renotifyInput = kept == null ? Amount.of(renotify, "hours")
                : Amount.of(kept.renotify(), kept.renotifyUnit());
        return new RuleRow(rule, Views.ruleLabel(rule), description(rule), enabled, Views.severityBadge(severity),
                           hasThreshold, thresholdMeaning(rule),
                           threshold == null ? thresholdDefault(rule) : words(threshold), thresholdDefault(rule),
                           renotify == 0 ? "Never" : "Every " + words(renotify),
                           kept == null ? enabled : kept.enabled(), severities, thresholdInput, renotifyInput,
                           severity, threshold == null ? "" : String.valueOf(threshold), String.valueOf(renotify),
                           problem);
    }

    static OverrideRow overrideRow(JsonNode o, Map<String, String> names) {
        String rule = Nodes.text(o, "rule", "");
        String subject = Nodes.text(o, "subject", "");
        AlertRoutes.HostRef host = null;
        String scheduleId = null;
        String other = null;
        if (subject.startsWith("host:")) {
            host = AlertRoutes.host(subject.substring(5), names);
        } else if (subject.startsWith("schedule:")) {
            scheduleId = subject.substring(9);
        } else {
            other = subject;
        }
        JsonNode enabled = o.path("enabled");
        OptionalLong threshold = Nodes.number(o, "threshold_s");
        return new OverrideRow(rule + " " + subject, rule, Views.ruleLabel(rule), subject, host, scheduleId, other,
                               enabled.isBoolean() ? (enabled.asBoolean() ? "On" : "Off") : null,
                               threshold.isPresent() ? words(threshold.getAsLong()) : null);
    }

    /** One line on what the rule watches (docs/API.md, "Alerts"). */
    static String description(String rule) {
        return switch (rule) {
            case "backup_failed" -> "A backup failed or was lost; resolves with the next good backup of that host "
                    + "and repository.";
            case "check_failed" -> "A repository check found damage; resolves with a passing check.";
            case "maintenance_failed" -> "Forget or prune failed; resolves when it next succeeds.";
            case "host_offline" -> "A host is offline for longer than the grace; resolves when it is back.";
            case "rpo_breached" -> "No good backup within the recovery point target; resolves with the next good "
                    + "backup.";
            case "agent_outdated" -> "An agent is older than the server, or its restic older than 0.14.";
            case "repo_locked" -> "A job failed on a restic lock at least this old; resolves with the next success "
                    + "on the repository.";
            case "drill_failed" -> "A restore drill failed or found files that did not restore intact; resolves with "
                    + "the next passing drill of that host and repository.";
            default -> "";
        };
    }

    private static String thresholdMeaning(String rule) {
        return switch (rule) {
            case "host_offline" -> "grace before alerting";
            case "rpo_breached" -> "RPO target";
            case "repo_locked" -> "minimum lock age";
            default -> null;
        };
    }

    /** What an empty threshold means for the rule (the engine's defaults). */
    private static String thresholdDefault(String rule) {
        return switch (rule) {
            case "host_offline" -> "15 minutes (default)";
            case "rpo_breached" -> "twice the backup schedule's interval (default)";
            case "repo_locked" -> "1 hour (default)";
            default -> null;
        };
    }

    /** 7200 → "2 hours", 5400 → "1 hour 30 minutes", 90000 → "1 day 1 hour", 0 → "0 minutes". */
    static String words(long seconds) {
        if (seconds <= 0) {
            return "0 minutes";
        }
        List<String> parts = new ArrayList<>();
        long rest = seconds;
        long[] sizes = {86_400, 3600, 60, 1};
        String[] names = {"day", "hour", "minute", "second"};
        for (int i = 0; i < sizes.length; i++) {
            long n = rest / sizes[i];
            rest %= sizes[i];
            if (n > 0) {
                parts.add(n + " " + names[i] + (n == 1 ? "" : "s"));
            }
        }
        return String.join(" ", parts);
    }
}
