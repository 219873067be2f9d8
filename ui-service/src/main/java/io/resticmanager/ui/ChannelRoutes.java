package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /alerts/channels} (admin): where notifications go (webhook, ntfy, e-mail), one create form per kind, a test
 * send per channel, pause/resume and delete; the delivery log below. Secrets (webhook secret, ntfy token, SMTP
 * password) are write-only: never pre-filled, never kept when a form comes back with a problem.
 */
final class ChannelRoutes implements HttpService {
    static final List<String> KINDS = List.of("webhook", "ntfy", "email");
    private static final List<String> SEVERITIES = List.of("info", "warning", "critical");
    private static final List<String> TLS = List.of("starttls", "tls", "none");
    private static final int DELIVERIES = 50;

    private final GatewayApi api;
    private final Pages pages;

    ChannelRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record ChannelRow(String id, String name, String kind, String kindLabel, String destination, String secretNote,
                      String rules, Views.Badge minSeverity, boolean enabled) {
    }

    /** What a test send answered: {@code {delivered, error?}}. */
    record TestResult(String channel, boolean delivered, String error) {
    }

    /** A create form's non-secret input (the defaults, or what the admin typed before a problem). */
    record ChannelForm(String kind, String name, String url, String topic, String smtpHost, String smtpPort,
                       String tls, String username, String from, String to, List<Views.Option> ruleChoices,
                       List<Views.Option> severityChoices, List<Views.Option> tlsChoices, boolean enabled,
                       boolean open, Views.ProblemView problem) {
        static ChannelForm empty(String kind) {
            return of(kind, "", "", "", "", "587", "starttls", "", "", "", List.of(), "info", true, false, null);
        }

        static ChannelForm of(String kind, String name, String url, String topic, String smtpHost, String smtpPort,
                              String tls, String username, String from, String to, List<String> rules,
                              String minSeverity, boolean enabled, boolean open, Views.ProblemView problem) {
            List<Views.Option> ruleChoices = new ArrayList<>();
            Views.RULES.forEach(r -> ruleChoices.add(new Views.Option(r, Views.ruleLabel(r), rules.contains(r))));
            List<Views.Option> severities = new ArrayList<>();
            SEVERITIES.forEach(s -> severities.add(new Views.Option(s, Views.severityBadge(s).label()
                    + (s.equals("info") ? " and up (everything)" : s.equals("critical") ? " only" : " and up"),
                    s.equals(minSeverity))));
            List<Views.Option> tlsChoices = List.of(
                    new Views.Option("starttls", "STARTTLS (usually port 587)", "starttls".equals(tls)),
                    new Views.Option("tls", "TLS from the start (usually port 465)", "tls".equals(tls)),
                    new Views.Option("none", "None: unencrypted (a local relay only)", "none".equals(tls)));
            return new ChannelForm(kind, name, url, topic, smtpHost, smtpPort, tls, username, from, to, ruleChoices,
                                   severities, tlsChoices, enabled, open, problem);
        }
    }

    record DeliveryRow(long id, Format.When created, String channel, String alertId, Views.Badge alertState,
                       Views.Badge status, int attempts, Format.When sent, Format.When next, String lastError) {
    }

    record ChannelsPage(List<ChannelRow> channels, boolean empty, String saved, Views.ProblemView problem,
                        TestResult test, ChannelForm webhook, ChannelForm ntfy, ChannelForm email,
                        List<DeliveryRow> deliveries, boolean noDeliveries, boolean allowed) {
        int deliveryLimit() {
            return DELIVERIES;
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/alerts/channels", Pages.signedIn(this::list))
                .post("/alerts/channels", Pages.signedIn(this::act));
    }

    private void list(ServerRequest req, ServerResponse res, Session session) {
        if (!session.admin()) {
            refuse(res, session);
            return;
        }
        String saved = switch (req.query().first("saved").orElse("")) {
            case "created" -> "Channel added. Send a test to check it reaches you.";
            case "deleted" -> "Channel deleted.";
            case "enabled" -> "Channel enabled.";
            case "disabled" -> "Channel paused: it receives no notifications until you enable it again.";
            default -> null;
        };
        render(res, 200, session, saved, null, null, null);
    }

    /** Without the admin role: no API call, just the reason. */
    private void refuse(ServerResponse res, Session session) {
        pages.page(res, 403, session, "Notification channels", "alerts", "alerts/channels",
                   new ChannelsPage(List.of(), true, null, new Views.ProblemView("Admins only",
                           "Notification channels and their delivery log need the admin role."), null, null, null,
                                    null, List.of(), true, false));
    }

    /** One endpoint for the page's forms: field {@code action} = create, test, enable, disable or delete. */
    private void act(ServerRequest req, ServerResponse res, Session session) {
        if (!session.admin()) {
            refuse(res, session);
            return;
        }
        Form form = Form.read(req);
        String action = form.get("action");
        String id = form.get("channel_id");
        Form.act(() -> {
            switch (action) {
                case "create" -> {
                    api.post(session, "/api/alert-channels", body(form));
                    Pages.redirect(req, res, "/alerts/channels?saved=created");
                }
                case "test" -> {
                    JsonNode answer = api.post(session, "/api/alert-channels/" + enc(id) + "/test", null).body();
                    TestResult test = new TestResult(form.get("channel_name").isEmpty() ? Views.shortId(id)
                            : form.get("channel_name"), answer.path("delivered").asBoolean(false),
                            Nodes.text(answer, "error", "the channel did not say why"));
                    render(res, 200, session, null, null, test, null);
                }
                case "enable", "disable" -> {
                    api.patch(session, "/api/alert-channels/" + enc(id), Map.of("enabled", action.equals("enable")));
                    Pages.redirect(req, res, "/alerts/channels?saved=" + action + "d");
                }
                case "delete" -> {
                    api.delete(session, "/api/alert-channels/" + enc(id));
                    Pages.redirect(req, res, "/alerts/channels?saved=deleted");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        }, (status, problem) -> failed(res, status, session, form, action, problem));
    }

    /** A create problem goes next to its form (opened, input kept); any other above the list. */
    private void failed(ServerResponse res, int status, Session session, Form form, String action,
                        Views.ProblemView problem) {
        if (action.equals("create") && KINDS.contains(form.get("kind"))) {
            render(res, status, session, null, null, null, kept(form, problem));
        } else {
            render(res, status, session, null, problem, null, null);
        }
    }

    /** The create form as typed, secrets left out. */
    private static ChannelForm kept(Form form, Views.ProblemView problem) {
        return ChannelForm.of(form.get("kind"), form.get("name"), form.get("url"), form.get("topic"),
                              form.get("smtp_host"), form.get("smtp_port"), form.get("tls"), form.get("username"),
                              form.get("from"), form.get("to"), form.all("rules"), form.get("min_severity"),
                              form.checked("enabled"), true, problem);
    }

    /**
     * {@code {name, kind, config, rules?, min_severity, enabled}}; {@code config} as the kind takes it, empty optional
     * fields (and secrets) left out; no rule ticked = every rule. The API checks the rest (URLs, addresses).
     */
    static Map<String, Object> body(Form form) {
        String kind = form.get("kind");
        if (!KINDS.contains(kind)) {
            throw new Form.Invalid("Choose what kind of channel to add.");
        }
        String name = form.get("name");
        if (name.isEmpty()) {
            throw new Form.Invalid("The channel needs a name.");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        switch (kind) {
            case "webhook" -> {
                config.put("url", required(form, "url", "The webhook URL is required."));
                putSecret(form, config, "secret");
            }
            case "ntfy" -> {
                config.put("url", required(form, "url", "The ntfy server URL is required."));
                config.put("topic", required(form, "topic", "The ntfy topic is required."));
                putSecret(form, config, "token");
            }
            default -> {
                config.put("smtp_host", required(form, "smtp_host", "The SMTP server is required."));
                Integer port = form.between("smtp_port", "SMTP port", 1, 65535);
                if (port == null) {
                    throw new Form.Invalid("The SMTP port is required.");
                }
                config.put("smtp_port", port);
                String tls = form.get("tls");
                if (!TLS.contains(tls)) {
                    throw new Form.Invalid("Choose how to encrypt the SMTP connection.");
                }
                config.put("tls", tls);
                if (!form.get("username").isEmpty()) {
                    config.put("username", form.get("username"));
                }
                putSecret(form, config, "password");
                config.put("from", required(form, "from", "The sender address (From) is required."));
                List<String> to = form.words("to");
                if (to.isEmpty()) {
                    throw new Form.Invalid("Enter at least one recipient (To), several separated by commas.");
                }
                config.put("to", to);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("kind", kind);
        body.put("config", config);
        List<String> rules = form.all("rules");
        if (!rules.isEmpty()) {
            body.put("rules", rules);
        }
        String severity = form.get("min_severity");
        body.put("min_severity", SEVERITIES.contains(severity) ? severity : "info");
        body.put("enabled", form.checked("enabled"));
        return body;
    }

    private static String required(Form form, String field, String message) {
        String value = form.get(field);
        if (value.isEmpty()) {
            throw new Form.Invalid(message);
        }
        return value;
    }

    /** A secret exactly as typed (spaces may matter), left out when empty. */
    private static void putSecret(Form form, Map<String, Object> config, String field) {
        String value = form.raw(field);
        if (!value.isEmpty()) {
            config.put(field, value);
        }
    }

    private void render(ServerResponse res, int status, Session session, String saved, Views.ProblemView problem,
                        TestResult test, ChannelForm failed) {
        Map<String, String> names = new HashMap<>();
        List<ChannelRow> rows = new ArrayList<>();
        for (JsonNode c : Nodes.items(api.get(session, "/api/alert-channels"))) {
            ChannelRow row = row(c);
            rows.add(row);
            names.put(row.id(), row.name());
        }
        Instant now = Instant.now();
        List<DeliveryRow> deliveries = new ArrayList<>();
        JsonNode log = api.get(session, "/api/alerts/deliveries", Map.of("limit", String.valueOf(DELIVERIES)));
        for (JsonNode d : Nodes.items(log)) {
            String channelId = Nodes.text(d, "channel_id", "");
            String state = Nodes.text(d, "state");
            String sent = Nodes.text(d, "status");
            deliveries.add(new DeliveryRow(d.path("id").asLong(), Format.when(Nodes.instant(d, "created_at"), now),
                                           names.getOrDefault(channelId, Views.shortId(channelId)),
                                           Views.shortId(Nodes.text(d, "alert_id", "")),
                                           state == null ? null : Views.alertStateBadge(state),
                                           deliveryBadge(sent), d.path("attempts").asInt(),
                                           Format.when(Nodes.instant(d, "sent_at"), now),
                                           "pending".equals(sent) ? Format.when(Nodes.instant(d, "next_at"), now)
                                                   : null, Nodes.text(d, "last_error")));
        }
        ChannelForm webhook = form("webhook", failed);
        ChannelForm ntfy = form("ntfy", failed);
        ChannelForm email = form("email", failed);
        pages.page(res, status, session, "Notification channels", "alerts", "alerts/channels",
                   new ChannelsPage(rows, rows.isEmpty(), saved, problem, test, webhook, ntfy, email, deliveries,
                                    deliveries.isEmpty(), true));
    }

    private static ChannelForm form(String kind, ChannelForm failed) {
        return failed != null && failed.kind().equals(kind) ? failed : ChannelForm.empty(kind);
    }

    static ChannelRow row(JsonNode c) {
        String kind = Nodes.text(c, "kind", "");
        JsonNode config = c.path("config");
        String destination = switch (kind) {
            case "webhook" -> Nodes.text(config, "url", "");
            case "ntfy" -> Nodes.text(config, "url", "").replaceAll("/+$", "") + "/" + Nodes.text(config, "topic", "");
            case "email" -> String.join(", ", Nodes.strings(config, "to")) + " via "
                    + Nodes.text(config, "smtp_host", "?") + ":" + Nodes.text(config, "smtp_port", "?");
            default -> "";
        };
        // the API shows a secret as "***": that it is set is all anyone learns
        String secretNote = config.has("secret") ? "signed with a secret" : config.has("token") ? "with an access token"
                : config.has("password") ? "with a login" : null;
        List<String> rules = Nodes.strings(c, "rules");
        return new ChannelRow(Nodes.text(c, "id", ""), Nodes.text(c, "name", "(unnamed)"), kind, kindLabel(kind),
                              destination, secretNote,
                              rules.isEmpty() ? "Every rule" : String.join(", ", rules.stream().map(Views::ruleLabel)
                                      .toList()),
                              Views.severityBadge(Nodes.text(c, "min_severity", "info")),
                              c.path("enabled").asBoolean(true));
    }

    static String kindLabel(String kind) {
        return switch (kind) {
            case "webhook" -> "Webhook";
            case "ntfy" -> "ntfy";
            case "email" -> "E-mail";
            default -> kind;
        };
    }

    static Views.Badge deliveryBadge(String status) {
        return switch (status == null ? "" : status) {
            case "sent" -> new Views.Badge("succeeded", "Sent", "✓");
            case "pending" -> new Views.Badge("queued", "Pending", "◷");
            case "failed" -> new Views.Badge("failed", "Failed", "✗");
            default -> new Views.Badge("unknown", status == null || status.isBlank() ? "Unknown" : status, "?");
        };
    }

    private static String enc(String id) {
        if (id == null || id.isEmpty()) {
            throw new Form.Invalid("Which channel? The form is missing its channel.");
        }
        return Urls.enc(id);
    }
}
