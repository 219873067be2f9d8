package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * The shipped monitoring files against a real Prometheus scraping the real stack (one agent, one real backup):
 * every query of deploy/grafana/restic-manager.json and every rule of deploy/prometheus/alerts.yml is valid PromQL
 * over our metric names and returns data; and RM_METRICS_ALLOW lets an allowed address scrape without a token.
 */
class MonitoringTest {
    private static final Path DASHBOARD = Stack.ROOT.resolve("deploy/grafana/restic-manager.json");
    private static final Path RULES = Stack.ROOT.resolve("deploy/prometheus/alerts.yml");
    private static final Path EXAMPLE_CONFIG = Stack.ROOT.resolve("deploy/prometheus/prometheus.yml");
    private static final String JOB = "restic-manager";

    private static Path promtool;
    private static Stack stack;
    private static AgentProcess agent;
    private static PrometheusProcess prometheus;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> server = PrometheusProcess.onPath("prometheus");
        Optional<Path> tool = PrometheusProcess.onPath("promtool");
        Assumptions.assumeTrue(server.isPresent() && tool.isPresent(),
                               "prometheus/promtool not on PATH (Debian package prometheus): MonitoringTest skipped");
        promtool = tool.get();
        stack = Stack.start("monitoring", "rm.gateway.metrics-allow=127.0.0.1/32");
        Api admin = Api.setupAdmin(stack, "admin", "monitoring-admin-password");
        Path source = stack.dataDir().resolve("src");
        Fleet.randomFiles(source, 3, 2048, 11);
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        String hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"),
                                             "monitoring-repo-password");
        for (Map<String, ?> job : List.of(Map.of("kind", "init"),
                                          Map.of("kind", "backup", "paths", List.of(source.toString())),
                                          Map.of("kind", "stats"))) {
            JsonNode done = Fleet.runAndWait(admin, hostId, job);
            assertThat(done.toString(), done.path("status").asText(), is("succeeded"));
        }
        token = admin.post("/api/tokens", Map.of("name", "prometheus", "role", "viewer")).expect(201).json()
                .path("token").asText();
        // the snapshot listing follows the backup's end asynchronously; every per-link series should exist
        Api viewer = Api.bearer(stack.gateway(), token);
        Await.until(Duration.ofSeconds(20), "per-host repository series on /metrics", () -> {
            String page = viewer.get("/metrics").expect(200).body();
            return page.contains("restic_manager_host_repo_last_snapshot_timestamp_seconds{")
                    && page.contains("restic_manager_host_repo_size_bytes{");
        });

        Path dir = stack.dataDir().resolve("prometheus");
        Files.createDirectories(dir);
        Path tokenFile = dir.resolve("restic-manager.token");
        Files.writeString(tokenFile, token);
        long started = System.nanoTime();
        prometheus = PrometheusProcess.start(server.get(), dir, stack.logDir().resolve("prometheus.log"),
                                             config(stack.gateway().substring("http://".length()), tokenFile));
        // two scrapes at least, so delta()/rate() over a window have two points
        Await.until(Duration.ofSeconds(20), "two successful scrapes", () -> scalar(
                "sum_over_time(up{job=\"" + JOB + "\"}[1m])").orElse(0.0) >= 2);
        System.out.printf("[monitoring] prometheus start → 2 scrapes: %d ms; scrape_duration_seconds %.3f%n",
                          (System.nanoTime() - started) / 1_000_000,
                          scalar("scrape_duration_seconds{job=\"" + JOB + "\"}").orElse(-1.0));
    }

    /** Like deploy/prometheus/prometheus.yml, pointed at the test stack: 1 s scrapes, the shipped rules. */
    private static String config(String gatewayHostPort, Path tokenFile) {
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "%s"
                scrape_configs:
                  - job_name: %s
                    metrics_path: /metrics
                    authorization:
                      type: Bearer
                      credentials_file: "%s"
                    static_configs:
                      - targets: ["%s"]
                """.formatted(RULES, JOB, tokenFile, gatewayHostPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            System.out.println("[monitoring] " + prometheus.queries() + " Prometheus queries in all");
            prometheus.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void promtoolAcceptsTheRulesAndTheExampleConfig() throws Exception {
        PrometheusProcess.Result rules = PrometheusProcess.run(List.of(promtool.toString(), "check", "rules",
                                                                       RULES.toString()));
        assertThat(rules.output(), rules.exit(), is(0));
        PrometheusProcess.Result config = PrometheusProcess.run(List.of(promtool.toString(), "check", "config",
                                                                        "--syntax-only", EXAMPLE_CONFIG.toString()));
        assertThat(config.output(), config.exit(), is(0));
    }

    @Test
    void everyDashboardQueryReturnsData() throws IOException {
        List<String> exprs = new ArrayList<>();
        collectExprs(Json.MAPPER.readTree(DASHBOARD.toFile()).path("panels"), exprs);
        assertThat(exprs.size(), greaterThanOrEqualTo(10));
        for (String expr : exprs) {
            // Grafana variables ($__interval, …) would make a query only Grafana can run: the panels use none
            assertThat(expr, expr.contains("$"), is(false));
            assertReturnsData(expr);
        }
        System.out.println("[monitoring] dashboard: " + exprs.size() + " panel queries returned data");
    }

    @Test
    void everyAlertRuleLoadsAndItsBaseQueryReturnsData() throws Exception {
        PrometheusProcess.Result check = PrometheusProcess.run(List.of(promtool.toString(), "check", "rules",
                                                                       RULES.toString()));
        Matcher found = Pattern.compile("SUCCESS: (\\d+) rules found").matcher(check.output());
        assertThat(check.output(), found.find(), is(true));
        int inFile = Integer.parseInt(found.group(1));

        Map<String, String> rules = new LinkedHashMap<>();
        Await.until(Duration.ofSeconds(15), "every rule evaluated", () -> {
            rules.clear();
            boolean evaluated = true;
            for (JsonNode group : prometheus.get("/api/v1/rules").path("data").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String health = rule.path("health").asText();
                    if (health.equals("err")) {
                        throw new AssertionError("rule " + rule.path("name").asText() + ": " + rule.path("lastError"));
                    }
                    evaluated &= health.equals("ok");
                    rules.put(rule.path("name").asText(), rule.path("query").asText());
                }
            }
            return evaluated && rules.size() == inFile;
        });
        for (Map.Entry<String, String> rule : rules.entrySet()) {
            JsonNode whole = prometheus.query(rule.getValue());
            assertThat(rule.getKey() + ": " + whole, whole.path("status").asText(), is("success"));
            assertReturnsData(RuleBase.of(rule.getValue()));
        }
        System.out.println("[monitoring] alerts.yml: " + rules.size() + " rules loaded, each base returned data; "
                                   + prometheus.queries() + " queries so far");
    }

    @Test
    void theAllowListLetsLoopbackScrapeWithoutAToken() throws Exception {
        assertThat(scrape("127.0.0.1", null).statusCode(), is(200));
        assertThat(scrape("127.0.0.1", null).body().contains("restic_manager_host_repo_snapshots{"), is(true));
        // 127.0.0.2 is loopback too, but not in 127.0.0.1/32: it needs the viewer token like everyone else
        assertThat(scrape("127.0.0.2", null).statusCode(), is(401));
        assertThat(scrape("127.0.0.2", token).statusCode(), is(200));
        // a token that is sent decides, even from an allowed address
        assertThat(scrape("127.0.0.1", "rmt_not-a-real-token").statusCode(), is(401));
    }

    /** GET /metrics from the given local address (all of 127/8 is loopback on Linux). */
    private static HttpResponse<String> scrape(String from, String bearer) throws Exception {
        HttpClient client = HttpClient.newBuilder().localAddress(InetAddress.getByName(from))
                .connectTimeout(Duration.ofSeconds(3)).build();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(stack.gateway() + "/metrics"))
                .timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            req.header("Authorization", "Bearer " + bearer);
        }
        return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Valid at once; data (at least one sample, every value a number) within a few seconds, which covers a scrape
     * that happened to fail just before (its staleness markers hide every series until the next one).
     */
    private static void assertReturnsData(String expr) {
        JsonNode answer = Await.within(Duration.ofSeconds(10), "data for " + expr).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode a = prometheus.query(expr);
                    assertThat("not a valid query: " + expr + " → " + a, a.path("status").asText(), is("success"));
                    return a;
                }, a -> !a.path("data").path("result").isEmpty());
        List<String> values = new ArrayList<>();
        answer.path("data").path("result").forEach(sample -> values.add(sample.path("value").path(1).asText()));
        assertThat(expr + " → " + answer, values.stream().filter(v -> !isNumber(v)).toList(), is(empty()));
    }

    private static boolean isNumber(String value) {
        try {
            return Double.isFinite(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<Double> scalar(String expr) {
        JsonNode result = prometheus.query(expr).path("data").path("result");
        return result.isEmpty() ? Optional.empty() : Optional.of(result.get(0).path("value").path(1).asDouble());
    }

    /** Every target expr of every panel, rows' nested panels included. */
    private static void collectExprs(JsonNode panels, List<String> out) {
        for (JsonNode panel : panels) {
            collectExprs(panel.path("panels"), out);
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                assertThat(panel.path("title").asText() + " has an empty query", expr.isBlank(), is(false));
                out.add(expr);
            }
        }
    }
}
