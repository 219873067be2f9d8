package io.resticmanager.system;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * GET /metrics on the real stack with a real agent after one real backup: what a Prometheus scraping with an
 * API token sees, and that promtool accepts the whole page.
 */
class MetricsTest {
    private static Stack stack;
    private static AgentProcess agent;
    private static String hostId;
    private static Api prometheus;
    private static String page;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("metrics");
        Api admin = Api.setupAdmin(stack, "admin", "metrics-admin-password");
        Path source = stack.dataDir().resolve("src");
        Fleet.randomFiles(source, 3, 2048, 7);
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"), "metrics-repo-password");
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        var backup = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString())));
        assertThat(backup.toString(), backup.path("status").asText(), is("succeeded"));
        String token = admin.post("/api/tokens", Map.of("name", "prometheus", "role", "viewer")).expect(201).json()
                .path("token").asText();
        prometheus = Api.bearer(stack.gateway(), token);
        page = prometheus.get("/metrics").expect(200).body();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void needsCredentials() {
        // no rm.gateway.metrics-allow on this stack: even loopback needs a token (MonitoringTest has the list)
        assertThat(Api.anonymous(stack.gateway()).get("/metrics").status(), is(401));
    }

    @Test
    void showsTheHostsRepositoryWithItsSnapshot() {
        // the snapshot listing follows the end of the backup job: wait for it rather than race it
        // label names come sorted (the Prometheus client writes them so); the value is read as Prometheus does
        String link = "restic_manager_host_repo_snapshots\\{host=\"[^\"]+\",host_id=\"" + hostId
                + "\",repo=\"repo-" + hostId.substring(0, 8) + "\",repo_id=\"[^\"]+\"\\}";
        Await.until(java.time.Duration.ofSeconds(20), "host_repo_snapshots of " + hostId + " = 1",
                    () -> value(prometheus.get("/metrics").expect(200).body(), link).orElse(0.0) == 1.0);
        String now = prometheus.get("/metrics").expect(200).body();
        Matcher last = Pattern.compile("restic_manager_host_repo_last_snapshot_timestamp_seconds\\{[^}]*host_id=\""
                + hostId + "\",[^}]*\\} (\\S+)\n").matcher(now);
        assertThat(now, last.find(), is(true));
        assertThat(Double.parseDouble(last.group(1)), greaterThan(System.currentTimeMillis() / 1000.0 - 600));
        // the repository's own count, from the same listing (a family with no series yet is not on the page)
        assertThat(now, containsString("# TYPE restic_manager_repo_snapshots gauge\n"));
        assertThat(value(now, "restic_manager_repo_snapshots\\{repo=\"repo-" + hostId.substring(0, 8)
                + "\",repo_id=\"[^\"]+\"\\}").orElseThrow(), is(1.0));
    }

    @Test
    void showsTheBackupTheAgentAndEveryServiceUp() {
        assertThat(value("restic_manager_last_backup_success\\{host_id=\"" + hostId + "\"\\}"), is(1.0));
        assertThat(value("restic_manager_last_backup_timestamp_seconds\\{host_id=\"" + hostId + "\"\\}"),
                   greaterThan(1.7e9));
        assertThat(value("restic_manager_agent_online\\{host_id=\"" + hostId + "\",hostname=\"[^\"]+\"\\}"), is(1.0));
        assertThat(value("restic_manager_agents_connected"), greaterThanOrEqualTo(1.0));
        assertThat(value("restic_manager_jobs\\{status=\"succeeded\"\\}"), greaterThanOrEqualTo(1.0));
        assertThat(value("restic_manager_job_duration_seconds_count\\{kind=\"backup\"\\}"), greaterThanOrEqualTo(1.0));
        for (String service : List.of("gateway", "agent-hub", "jobs-service", "inventory-service", "ui-service")) {
            assertThat(service, value("restic_manager_service_up\\{service=\"" + service + "\"\\}"), is(1.0));
        }
        assertThat(page, containsString("restic_manager_build_info{version=\""));
        assertThat(page, containsString("# TYPE restic_manager_hosts gauge\n"));
        assertThat(value("restic_manager_hosts\\{status=\"online\"\\}"), is(1.0));
    }

    @Test
    void promtoolAcceptsThePage() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool.isPresent(), "promtool not installed (Debian package prometheus)");
        Path file = Files.createTempFile(stack.dataDir(), "metrics", ".txt");
        Files.writeString(file, page);
        Process p = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true)
                .redirectInput(file.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS), is(true));
        assertThat("promtool says:\n" + out + "\npage:\n" + page, p.exitValue(), is(0));
    }

    private static double value(String seriesRegex) {
        return value(page, seriesRegex).orElseThrow(() -> new AssertionError("no series " + seriesRegex + " in:\n"
                + page));
    }

    /** A sample's value as a scraper reads it: any float spelling ({@code 1}, {@code 1.0}, {@code 1.7E9}). */
    private static Optional<Double> value(String text, String seriesRegex) {
        Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(text);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    private static Optional<Path> onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
