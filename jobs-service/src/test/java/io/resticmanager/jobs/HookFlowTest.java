package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.resticmanager.jobs.TestSupport.ADMIN;
import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.event;
import static io.resticmanager.jobs.TestSupport.host;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Backup hooks on schedules: admins only, backups only, sealed at rest, shown in full to admins only, audited by
 * which hook changed; they go to the agent with the schedule sync (for offline runs) and with the job.start of a
 * fired backup.
 */
@ServerTest
class HookFlowTest {
    private static final String PRE = "mysqldump --password=db-secret-77 shop > /var/backups/shop.sql";
    private static final String POST = "systemctl restart shop";
    private static TestSupport.Stack stack;
    private static Path dataDir;
    private final TestSupport.Api api;

    HookFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-hooks");
        dataDir = stack.app.store().sqlite().file().getParent();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static Map<String, Object> nightly(String host) {
        return new HashMap<>(Map.of("host_id", host, "cron", "0 2 * * *", "kind", "backup",
                                    "paths", List.of("/var/backups"), "pre_hook", PRE, "post_hook", POST));
    }

    @Test
    void onlyAdminsSetHooksOnlyOnBackupsAndOnlyAdminsReadThem() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        assertThat(api.post("/api/schedules", OPERATOR, nightly(host)).status(), is(403));
        Map<String, Object> forget = new HashMap<>(Map.of("host_id", host, "cron", "@daily", "kind", "forget",
                                                          "policy", Map.of("keep_last", 3), "pre_hook", "true"));
        assertThat(api.post("/api/schedules", ADMIN, forget).status(), is(422));
        Map<String, Object> huge = nightly(host);
        huge.put("pre_hook", "x".repeat(17_000));
        assertThat(api.post("/api/schedules", ADMIN, huge).status(), is(422));

        TestSupport.Api.Reply created = api.post("/api/schedules", ADMIN, nightly(host));
        assertThat(created.body().toString(), created.status(), is(201));
        assertThat(created.header("X-RM-Audit-Target"), containsString("hooks=pre_hook,post_hook"));
        assertThat(created.header("X-RM-Audit-Target"), not(containsString("mysqldump")));
        String id = created.body().path("id").asText();
        assertThat(api.get("/api/schedules/" + id, ADMIN).body().path("pre_hook").asText(), is(PRE));
        JsonNode seen = api.get("/api/schedules/" + id, VIEWER).body();
        assertThat(seen.path("has_pre_hook").asBoolean(), is(true));
        assertThat(seen.has("pre_hook"), is(false));
        assertThat(api.get("/api/schedules?host_id=" + host, OPERATOR).body().toString(), not(containsString("db-secret")));

        // an operator may still change what is not a hook; the hooks stay
        TestSupport.Api.Reply moved = api.patch("/api/schedules/" + id, OPERATOR, Map.of("cron", "30 2 * * *"));
        assertThat(moved.status(), is(200));
        assertThat(api.get("/api/schedules/" + id, ADMIN).body().path("post_hook").asText(), is(POST));
        assertThat(api.patch("/api/schedules/" + id, OPERATOR, Map.of("post_hook", "rm -rf /")).status(), is(403));
        assertThat(api.patch("/api/schedules/" + id, ADMIN, Map.of("kind", "check")).status(), is(422));
        TestSupport.Api.Reply cleared = api.patch("/api/schedules/" + id, ADMIN, "{\"post_hook\":null}");
        assertThat(cleared.header("X-RM-Audit-Target"), containsString("hooks=post_hook"));
        assertThat(cleared.body().path("has_post_hook").asBoolean(), is(false));

        // sealed at rest: the text is in no file of the data directory
        for (Path file : Files.list(dataDir).toList()) {
            if (Files.isRegularFile(file)) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(file + " holds a hook in clear", bytes, not(containsString("db-secret-77")));
            }
        }
    }

    @Test
    void theAgentGetsTheHooksWithTheSyncAndWithTheFiredBackup() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(TestSupport.online(host));
        String id = api.post("/api/schedules", ADMIN, nightly(host)).body().path("id").asText();
        await("a sync carrying the hooks").until(() -> stack.hub.commands(host, "schedules.sync").stream()
                .anyMatch(c -> c.payload().path("hooks").path(id).path("pre").asText().equals(PRE)));

        String jobId = UUID.randomUUID().toString();
        api.events(event(host, "schedule.fire", new Message.ScheduleFire(id, jobId, Instant.now().truncatedTo(
                ChronoUnit.SECONDS), false)));
        await("the fired backup's job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        JsonNode start = stack.hub.starts(jobId).getFirst().payload();
        assertThat(start.path("hooks").path("pre").asText(), is(PRE));
        assertThat(start.path("hooks").path("post").asText(), is(POST));
        assertThat(start.path("hooks").path("shell").toString(), is("[\"/bin/sh\",\"-c\"]"));

        // a run-now backup runs the host's defaults: none here, so no hooks at all (after the first: one job per
        // repository at a time)
        api.events(TestSupport.ack(host, jobId, 1), TestSupport.finished(host, jobId, 2,
                                                                         io.resticmanager.proto.JobStatus.SUCCEEDED, 0));
        String runNow = api.runNow(host, TestSupport.backup("/etc"));
        await("run-now job.start").until(() -> !stack.hub.starts(runNow).isEmpty());
        assertThat(stack.hub.starts(runNow).getFirst().payload().has("hooks"), is(false));
    }
}
