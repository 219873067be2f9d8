package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServerConfig;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Test helpers: config, a small HTTP client that speaks as the gateway, and hub events. */
final class TestSupport {
    static final Principal ADMIN = new Principal("u-admin", "ada", Role.ADMIN);
    static final Principal OPERATOR = new Principal("u-op", "olivia", Role.OPERATOR);
    static final Principal VIEWER = new Principal("u-view", "victor", Role.VIEWER);
    private static final AtomicLong EVENT_IDS = new AtomicLong();

    private TestSupport() {
    }

    static Config config(Path dataDir, Stubs.Hub hub, Stubs.Inventory inventory, Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "rm.data-dir", dataDir.toString(),
                "rm.peers.agent-hub", hub.url(),
                "rm.peers.inventory", inventory.url(),
                "rm.jobs.reaper-interval-ms", "200",
                // the refresh would add stats jobs to every test's job lists; StatsRefreshTest turns it on
                "rm.jobs.stats-refresh", "false"));
        values.putAll(extra);
        try {
            java.nio.file.Files.createDirectories(dataDir);
            java.nio.file.Files.writeString(dataDir.resolve("internal-token"), Stubs.TOKEN + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(values), ConfigSources.classpath("application.yaml")).build();
    }

    /** A jobs-service on the test server with its own stub hub and inventory and a fresh data dir. */
    static final class Stack implements AutoCloseable {
        final Stubs.Hub hub;
        final Stubs.Inventory inventory;
        final JobsApp app;

        private Stack(Stubs.Hub hub, Stubs.Inventory inventory, JobsApp app) {
            this.hub = hub;
            this.inventory = inventory;
            this.app = app;
        }

        static Stack serve(WebServerConfig.Builder server, String dataDirPrefix) throws IOException {
            return serve(server, dataDirPrefix, Map.of());
        }

        /** As above, with extra config values (e.g. {@code rm.jobs.log-max-lines}). */
        static Stack serve(WebServerConfig.Builder server, String dataDirPrefix, Map<String, String> extra)
                throws IOException {
            Stubs.Hub hub = new Stubs.Hub();
            Stubs.Inventory inventory = new Stubs.Inventory();
            JobsApp app = JobsApp.create(config(Files.createTempDirectory(dataDirPrefix), hub, inventory, extra));
            server.routing(r -> JobsMain.routing(r, app)).addRouting(JobsMain.wsRouting(app));
            app.start();
            return new Stack(hub, inventory, app);
        }

        @Override
        public void close() {
            app.close();
            hub.close();
            inventory.close();
        }
    }

    /** Calls jobs-service the way the gateway does: internal token plus the forwarded principal. */
    record Api(URI base, HttpClient client) {
        static Api create(URI base) {
            return new Api(base, HttpClient.newHttpClient());
        }

        static Api create(int port) {
            return create(URI.create("http://127.0.0.1:" + port));
        }

        record Reply(int status, JsonNode body, HttpResponse<String> raw) {
            String header(String name) {
                return raw.headers().firstValue(name).orElse(null);
            }
        }

        Reply get(String path, Principal principal) {
            return send(HttpRequest.newBuilder(base.resolve(path)).GET(), principal);
        }

        Reply post(String path, Principal principal, Object body) {
            String text = body instanceof String s ? s : Json.write(body);
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(text)), principal);
        }

        Reply patch(String path, Principal principal, Object body) {
            String text = body instanceof String s ? s : Json.write(body);
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                                .method("PATCH", HttpRequest.BodyPublishers.ofString(text)), principal);
        }

        Reply put(String path, Principal principal, Object body) {
            String text = body instanceof String s ? s : Json.write(body);
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(text)), principal);
        }

        Reply delete(String path, Principal principal) {
            return send(HttpRequest.newBuilder(base.resolve(path)).DELETE(), principal);
        }

        Reply events(HubEvent... events) {
            return post("/internal/events", null, new HubEvent.Batch(List.of(events)));
        }

        Reply events(List<HubEvent> events) {
            return post("/internal/events", null, new HubEvent.Batch(events));
        }

        JsonNode job(String id) {
            Reply r = get("/api/jobs/" + id, VIEWER);
            if (r.status() != 200) {
                throw new AssertionError("GET job " + id + " → " + r.status() + " " + r.body());
            }
            return r.body();
        }

        String status(String id) {
            return job(id).path("status").asText();
        }

        String runNow(String hostId, Object body) {
            return runNow(hostId, OPERATOR, body);
        }

        String runNow(String hostId, Principal who, Object body) {
            Reply r = post("/api/hosts/" + hostId + "/jobs", who, body);
            if (r.status() != 202) {
                throw new AssertionError("run-now → " + r.status() + " " + r.body());
            }
            return r.body().path("job_id").asText();
        }

        List<Long> logSeqs(String jobId, String query) {
            List<Long> seqs = new ArrayList<>();
            get("/api/jobs/" + jobId + "/logs?limit=10000" + query, VIEWER).body().path("items")
                    .forEach(n -> seqs.add(n.path("seq").asLong()));
            return seqs;
        }

        private Reply send(HttpRequest.Builder builder, Principal principal) {
            builder.header(Http.INTERNAL_TOKEN.defaultCase(), Stubs.TOKEN).timeout(Duration.ofSeconds(30));
            if (principal != null) {
                builder.header(Http.PRINCIPAL.defaultCase(), principal.toHeader());
            }
            try {
                HttpResponse<String> res = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = res.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(res.body());
                return new Reply(res.statusCode(), body, res);
            } catch (Exception e) {
                throw new AssertionError("request failed: " + e, e);
            }
        }
    }

    static Map<String, Object> backup(String... paths) {
        return Map.of("kind", "backup", "paths", List.of(paths));
    }

    static HubEvent event(String hostId, String type, Object payload) {
        return new HubEvent(Long.toString(EVENT_IDS.incrementAndGet()), hostId, type, Instant.now(),
                            Json.MAPPER.valueToTree(payload));
    }

    static HubEvent ack(String hostId, String jobId, long seq) {
        return event(hostId, "job.ack", new Message.JobAck(jobId, seq, true, null,
                                                          "restic backup --json /etc", Instant.now()));
    }

    static HubEvent log(String hostId, String jobId, long fromSeq, int count) {
        List<Message.LogLine> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(new Message.LogLine(fromSeq + i, Instant.now(), "stdout", "line " + (fromSeq + i)));
        }
        return event(hostId, "job.log", new Message.JobLog(jobId, fromSeq, lines));
    }

    static HubEvent progress(String hostId, String jobId, long seq, double percent) {
        return event(hostId, "job.progress", new Message.JobProgress(jobId, seq, percent, 10, 100, 1000, 10000,
                                                                    30L, "/etc/hosts"));
    }

    static HubEvent finished(String hostId, String jobId, long seq, JobStatus status, int exit) {
        Map<String, Object> summary = Map.of("files_new", 3, "snapshot_id", "abcd1234", "data_added", 4096);
        return event(hostId, "job.finished", new Message.JobFinished(jobId, seq, status, exit,
                                                                     status == JobStatus.SUCCEEDED ? summary : Map.of(),
                                                                     status == JobStatus.FAILED ? "boom" : null,
                                                                     Instant.now()));
    }

    static HubEvent online(String hostId, Message.JobReport... jobs) {
        return event(hostId, HubEvent.HOST_ONLINE, new HostEvents.Online(hostId, "linux", "amd64", "0.1.0", "0.14.0", 1,
                                                                       List.of(jobs)));
    }

    static HubEvent offline(String hostId) {
        return event(hostId, HubEvent.HOST_OFFLINE, new HostEvents.Offline(Instant.now()));
    }

    static String host() {
        return "h-" + UUID.randomUUID();
    }
}
