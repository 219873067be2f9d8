package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.Feature;
import io.resticmanager.proto.Protocol;
import io.resticmanager.proto.Versions;
import io.resticmanager.proto.view.HostView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /versions} (everyone): version skew across the fleet. Which agents are behind the server and by how much,
 * which protocol each speaks and which features that leaves out, and which restic versions run where (one older than
 * the oldest supported flagged). Read from the hub's agent list, names from the inventory.
 */
final class VersionRoutes implements HttpService {
    private final GatewayApi api;
    private final Pages pages;
    private final String serverVersion;

    VersionRoutes(GatewayApi api, Pages pages) {
        this(api, pages, Views.SERVER_VERSION);
    }

    VersionRoutes(GatewayApi api, Pages pages, String serverVersion) {
        this.api = api;
        this.pages = pages;
        this.serverVersion = serverVersion;
    }

    record AgentRow(String hostId, String name, boolean known, String agentVersion, Views.Badge skew,
                    boolean behind, Integer protocol, String missing, String resticVersion, boolean resticOld,
                    boolean online) {
    }

    /** One version and the hosts running it. */
    record Group(String version, int count, List<AgentRow> hosts, boolean flagged, String note) {
    }

    record VersionsPage(String server, int protocol, int minProtocol, String minRestic, List<AgentRow> agents,
                        boolean empty, int behindCount, int resticOldCount, List<Group> agentVersions,
                        List<Group> resticVersions) {
        boolean anyBehind() {
            return behindCount > 0;
        }

        boolean anyResticOld() {
            return resticOldCount > 0;
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/versions", Pages.signedIn(this::show));
    }

    private void show(ServerRequest req, ServerResponse res, Session session) {
        Map<String, String> names = new HashMap<>();
        for (HostView h : api.get(session, "/api/hosts", Map.of(), GatewayApi.HOSTS).items()) {
            names.put(h.id() != null ? h.id() : "", h.name() != null ? h.name() : "");
        }
        List<AgentRow> rows = new ArrayList<>();
        for (JsonNode a : Nodes.items(api.get(session, "/api/agents"))) {
            rows.add(row(a, names, serverVersion));
        }
        // the furthest behind first, then by name
        rows.sort(Comparator.comparing((AgentRow r) -> !r.behind())
                          .thenComparing(r -> r.agentVersion() == null ? "" : r.agentVersion(),
                                         (x, y) -> Versions.readable(x) && Versions.readable(y)
                                                 ? Versions.compare(x, y) : x.compareTo(y))
                          .thenComparing(AgentRow::name));
        int behind = (int) rows.stream().filter(AgentRow::behind).count();
        int resticOld = (int) rows.stream().filter(AgentRow::resticOld).count();
        pages.page(res, 200, session, "Versions", "versions", "versions/index",
                   new VersionsPage(serverVersion, Protocol.VERSION, Protocol.MIN_SUPPORTED_VERSION,
                                    Versions.MIN_RESTIC, rows, rows.isEmpty(), behind, resticOld,
                                    groups(rows, AgentRow::agentVersion, v -> Versions.behind(v, serverVersion)
                                            .map(Versions.Behind::words).orElse(null)),
                                    groups(rows, AgentRow::resticVersion, v -> Versions.readable(v)
                                            && Versions.compare(v, Versions.MIN_RESTIC) < 0
                                            ? "older than the oldest supported " + Versions.MIN_RESTIC : null)));
    }

    static AgentRow row(JsonNode a, Map<String, String> names, String server) {
        String id = Nodes.text(a, "host_id", "");
        String name = names.get(id);
        String agent = Nodes.text(a, "agent_version");
        String restic = Nodes.text(a, "restic_version");
        Integer protocol = a.path("protocol_version").isNumber() ? a.path("protocol_version").asInt() : null;
        Optional<Versions.Behind> behind = agent == null ? Optional.empty() : Versions.behind(agent, server);
        Views.Badge skew = skew(agent, server, behind);
        List<String> missing = new ArrayList<>();
        for (Feature f : Feature.values()) {
            if (f.refusal(protocol).isPresent()) {
                missing.add(f.label());
            }
        }
        return new AgentRow(id, name == null || name.isEmpty() ? Nodes.text(a, "hostname", Views.shortId(id)) : name,
                            name != null, agent, skew, behind.isPresent(), protocol,
                            missing.isEmpty() ? null : String.join(", ", missing), restic,
                            restic != null && Versions.readable(restic) && Versions.compare(restic, Versions.MIN_RESTIC) < 0,
                            a.path("online").asBoolean(false));
    }

    static Views.Badge skew(String agent, String server, Optional<Versions.Behind> behind) {
        if (agent == null || !Versions.readable(agent)) {
            return new Views.Badge("unknown", agent == null ? "Not reported yet" : "Unknown version", "?");
        }
        if (behind.isPresent()) {
            return new Views.Badge(behind.get().level().equals("patch") ? "warning" : "failed",
                                   behind.get().words(), "⚠");
        }
        return Versions.compare(agent, server) > 0 ? new Views.Badge("warning", "Newer than the server", "↑")
                : new Views.Badge("succeeded", "Up to date", "✓");
    }

    private static List<Group> groups(List<AgentRow> rows, java.util.function.Function<AgentRow, String> version,
                                      java.util.function.Function<String, String> note) {
        Map<String, List<AgentRow>> by = new LinkedHashMap<>();
        for (AgentRow r : rows) {
            String v = version.apply(r);
            by.computeIfAbsent(v == null ? "not reported" : v, k -> new ArrayList<>()).add(r);
        }
        List<Group> out = new ArrayList<>();
        by.forEach((v, hosts) -> {
            String n = v.equals("not reported") ? null : note.apply(v);
            out.add(new Group(v, hosts.size(), hosts, n != null, n));
        });
        // newest first; unreadable and missing versions last
        out.sort(Comparator.comparing((Group g) -> !Versions.readable(g.version()))
                         .thenComparing(Group::version, (x, y) -> Versions.readable(x) && Versions.readable(y)
                                 ? Versions.compare(y, x) : x.compareTo(y)));
        return out;
    }
}
