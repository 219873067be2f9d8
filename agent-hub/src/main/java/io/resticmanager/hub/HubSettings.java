package io.resticmanager.hub;

import io.helidon.config.Config;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.proto.Protocol;

import java.nio.file.Path;
import java.time.Duration;

/** The hub's configuration ({@code rm.*} keys; see README.md). */
record HubSettings(Path dataDir,
                   String publicUrl,
                   String jobsUrl,
                   String inventoryUrl,
                   int heartbeatIntervalS,
                   int minProtocolVersion,
                   Duration offlineAfter,
                   Duration lastSeenFlush,
                   int forwardBatch,
                   Path agentDist,
                   Path aptPool,
                   Duration requestTimeout,
                   int downloadWindow,
                   int downloadsPerHost,
                   int downloads,
                   Duration downloadIdleTimeout,
                   Path releaseKeyFile,
                   boolean mayCreateSecrets) {

    static HubSettings from(Config config) {
        Config hub = config.get("rm.hub");
        String dist = System.getenv("RM_AGENT_DIST");
        Path agentDist = Path.of(dist != null && !dist.isBlank()
                                         ? dist
                                         : hub.get("agent-dist").asString().orElse("agent/target"));
        return new HubSettings(RmConfig.dataDir(config),
                               stripSlash(config.get("rm.public-url").asString().orElse("http://127.0.0.1:8080")),
                               RmConfig.peer(config, "jobs"),
                               RmConfig.peer(config, "inventory"),
                               hub.get("heartbeat-interval-s").asInt().orElse(15),
                               // may be raised (to retire old agents), never lowered below what the code supports
                               Math.max(Protocol.MIN_SUPPORTED_VERSION, hub.get("min-protocol-version").asInt()
                                       .orElse(Protocol.MIN_SUPPORTED_VERSION)),
                               Duration.ofSeconds(hub.get("offline-after-s").asInt().orElse(90)),
                               Duration.ofMillis(hub.get("last-seen-flush-ms").asInt().orElse(2000)),
                               Math.max(1, Math.min(500, hub.get("forward-batch").asInt().orElse(500))),
                               agentDist.toAbsolutePath().normalize(),
                               // the .deb files the APT repository serves: the agent's build directory unless named
                               hub.get("apt-pool").asString().map(Path::of).orElse(agentDist).toAbsolutePath()
                                       .normalize(),
                               Duration.ofMillis(Math.max(100, hub.get("request-timeout-ms").asInt().orElse(20_000))),
                               // unacknowledged 64 KiB chunks per download: the hub's memory per download
                               Math.max(1, Math.min(io.resticmanager.proto.Message.SnapshotDump.MAX_WINDOW,
                                                    hub.get("download-window").asInt().orElse(8))),
                               Math.max(1, hub.get("downloads-per-host").asInt().orElse(2)),
                               Math.max(1, hub.get("downloads").asInt().orElse(8)),
                               Duration.ofSeconds(Math.max(1, hub.get("download-idle-timeout-s").asInt().orElse(120))),
                               config.get("rm.release-key-file").asString().map(Path::of)
                                       .orElse(RmConfig.dataDir(config).resolve("release.key")),
                               RmConfig.localMode(config));
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
