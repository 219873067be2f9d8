package io.resticmanager.hub;

import io.resticmanager.kit.PromText;

import java.util.List;

/**
 * agent-hub's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): live connections, each
 * enrolled agent's presence, and events each receiver has not confirmed yet.
 */
final class HubMetrics {
    private final AgentHub hub;

    HubMetrics(AgentHub hub) {
        this.hub = hub;
    }


    String fragment() {
        PromText out = PromText.create();
        out.gauge("agents_connected", "Agents with a live WebSocket connection (said hello).")
                .sample("agents_connected", hub.registry().onlineCount());
        List<AgentRoutes.AgentView> agents = AgentRoutes.presence(hub);
        out.gauge("agent_online", "1 while the enrolled agent is connected, else 0.");
        for (AgentRoutes.AgentView a : agents) {
            out.sample("agent_online", a.online() ? 1 : 0, "host_id", a.hostId(), "hostname", a.hostname());
        }
        out.gauge("outbox_pending", "Hub events the destination service has not confirmed yet.");
        for (Destination d : Destination.values()) {
            out.sample("outbox_pending", hub.pending(d), "destination", d.peer());
        }
        out.gauge("downloads_active", "Downloads from snapshots streaming through the hub now.")
                .sample("downloads_active", hub.dumps().active());
        out.gauge("download_buffered_bytes", "Download bytes the hub holds now (at most downloads x window x 64 KiB).")
                .sample("download_buffered_bytes", hub.dumps().buffered());
        out.gauge("download_buffered_bytes_peak", "The most download bytes the hub held at once since it started.")
                .sample("download_buffered_bytes_peak", hub.dumps().bufferedHighWater());
        out.counter("downloads_started_total", "Downloads from snapshots started since the hub started.")
                .sample("downloads_started_total", hub.dumps().started());
        return out.text();
    }
}
