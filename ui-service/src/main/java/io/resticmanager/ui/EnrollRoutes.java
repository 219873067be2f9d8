package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /hosts/new} "Add host" (admin): creates a one-time enrollment token, shows the install command,
 * then watches the host list until a host that was not there before shows up.
 */
final class EnrollRoutes implements HttpService {
    /** Above this many hosts the watch URL would get long; then a growing count is the signal. */
    static final int MAX_KNOWN = 300;
    private static final int PREFIX = 8;

    private final GatewayApi api;
    private final Pages pages;

    EnrollRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record Expiry(String value, String label, boolean selected) {
    }

    record EnrollView(String name, List<Expiry> expiries, Views.ProblemView problem, Token token) {
    }

    record Token(String installCommand, String installCommandWindows, Format.When expiresAt, WatchView watch) {
    }

    record NewHost(String id, String name) {
    }

    record WatchView(String watchUrl, List<NewHost> hosts, boolean found, int newCount) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/new", Pages.signedIn(this::form))
                .post("/hosts/new", Pages.signedIn(this::create))
                .get("/hosts/new/watch", Pages.signedIn(this::watch));
    }

    private static List<Expiry> expiries(String selected) {
        String s = selected.isEmpty() ? "3600" : selected;
        return List.of(new Expiry("900", "15 minutes", s.equals("900")),
                       new Expiry("3600", "1 hour", s.equals("3600")),
                       new Expiry("86400", "24 hours", s.equals("86400")),
                       new Expiry("604800", "7 days", s.equals("604800")));
    }

    private void form(ServerRequest req, ServerResponse res, Session session) {
        pages.page(res, session.admin() ? 200 : 403, session, "Add host", "add-host", "hosts/new",
                   new EnrollView("", expiries(""), session.admin() ? null
                           : new Views.ProblemView("Admins only", "Adding hosts needs the admin role."), null));
    }

    private void create(ServerRequest req, ServerResponse res, Session session) {
        Form form = Form.read(req);
        String name = form.get("name");
        String expiry = form.get("expires_in_s");
        Form.act(() -> {
            // Remember who is already there before the token exists, so the watcher can spot the newcomer.
            List<JsonNode> before = Nodes.items(api.get(session, "/api/hosts"));
            Map<String, Object> body = new LinkedHashMap<>();
            if (!name.isEmpty()) {
                body.put("name", name);
            }
            Integer seconds = form.positive("expires_in_s", "Expiry");
            if (seconds != null) {
                body.put("expires_in_s", seconds);
            }
            JsonNode created = api.post(session, "/api/enrollment-tokens", body).body();
            Token token = new Token(Nodes.text(created, "install_command", ""),
                                    Nodes.text(created, "install_command_windows"),
                                    Format.when(Nodes.instant(created, "expires_at"), Instant.now()),
                                    new WatchView(watchUrl(before), List.of(), false, 0));
            pages.page(res, 201, session, "Add host", "add-host", "hosts/new",
                       new EnrollView(name, expiries(expiry), null, token));
        }, (status, problem) -> pages.page(res, status, session, "Add host", "add-host", "hosts/new",
                                           new EnrollView(name, expiries(expiry), problem, null)));
    }

    static String watchUrl(List<JsonNode> hosts) {
        if (hosts.size() > MAX_KNOWN) {
            return "/hosts/new/watch?count=" + hosts.size();
        }
        List<String> prefixes = new ArrayList<>();
        hosts.forEach(h -> prefixes.add(prefix(Nodes.text(h, "id", ""))));
        return "/hosts/new/watch?known=" + String.join(".", prefixes);
    }

    private static String prefix(String id) {
        return Urls.enc(id.length() > PREFIX ? id.substring(0, PREFIX) : id);
    }

    private void watch(ServerRequest req, ServerResponse res, Session session) {
        String self = req.query().first("count").map(c -> "/hosts/new/watch?count=" + Urls.enc(c))
                .orElseGet(() -> "/hosts/new/watch?known=" + Urls.enc(req.query().first("known").orElse("")));
        WatchView view;
        try {
            List<JsonNode> hosts = Nodes.items(api.get(session, "/api/hosts"));
            view = watchView(hosts, self, Http.query(req, "known").orElse(""),
                             Http.intQuery(req, "count", -1, -1, Integer.MAX_VALUE));
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            view = new WatchView(self, List.of(), false, 0);   // keep watching; the API may be back soon
        }
        pages.fragment(res, 200, session, "hosts/_watch", view);
    }

    static WatchView watchView(List<JsonNode> hosts, String self, String known, int count) {
        if (count >= 0) {
            int grown = hosts.size() - count;
            return new WatchView(self, List.of(), grown > 0, Math.max(0, grown));
        }
        Set<String> knownPrefixes = new HashSet<>(Arrays.asList(known.split("\\.")));
        List<NewHost> fresh = new ArrayList<>();
        for (JsonNode h : hosts) {
            String id = Nodes.text(h, "id", "");
            if (!id.isEmpty() && !knownPrefixes.contains(prefix(id))) {
                fresh.add(new NewHost(id, Nodes.text(h, "name", Views.shortId(id))));
            }
        }
        return new WatchView(self, fresh, !fresh.isEmpty(), fresh.size());
    }
}
