package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything real the fuzzer aims at, made through the public API: users and tokens of every role, two
 * enrolled hosts with connected agents, repositories, a finished and a running job, an alert, a snapshot, a
 * schedule, a silence and a channel. Requests name these as {@code {{host_a}}}, {@code {{job}}}…, so a saved
 * input replays against the next run's ids.
 */
final class FuzzWorld implements AutoCloseable {
    static final String PASSWORD = "fuzz-password-0123";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_0-9]+)}}");

    final Stack stack;
    final RawHttp http;
    final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, FuzzCaller> callers = new LinkedHashMap<>();
    private final Map<String, String> agentTokens = new LinkedHashMap<>();
    private final Map<String, FuzzAgent> agents = new LinkedHashMap<>();
    private final List<FuzzAgent> ended = new java.util.ArrayList<>();
    private Api admin;

    private FuzzWorld(Stack stack) {
        this.stack = stack;
        this.http = RawHttp.of(stack.gateway());
    }

    static FuzzWorld seed(Stack stack) throws Exception {
        FuzzWorld w = new FuzzWorld(stack);
        w.people();
        w.hosts();
        w.jobsAlertAndSnapshot();
        w.extras();
        w.sacrificial();
        return w;
    }

    private void people() {
        Api session = Api.setupAdmin(stack, "fz-admin", PASSWORD);
        admin = Api.bearer(stack.gateway(), token(session, "fz-admin", "admin"));
        for (String role : List.of("operator", "viewer")) {
            admin.post("/api/users", Map.of("username", "fz-" + role, "password", PASSWORD, "role", role)).expect(201);
        }
        // the victims of DELETE and PATCH: never the callers the fuzzer needs
        ids.put("user", admin.post("/api/users", Map.of("username", "fz-victim", "password", PASSWORD,
                                                        "role", "viewer")).expect(201).json().path("id").asText());
        ids.put("token", admin.post("/api/tokens", Map.of("name", "fz-victim", "role", "viewer")).expect(201).json()
                .path("id").asText());
        for (String role : List.of("admin", "operator", "viewer")) {
            login(role);
            callers.put(role + "-token", new FuzzCaller(role + "-token", role, "Bearer " + token(admin, "fz-" + role,
                                                                                                  role), null, null));
        }
        callers.put("anonymous", new FuzzCaller("anonymous", "none", null, null, null));
        callers.put("bad-token", new FuzzCaller("bad-token", "none", "Bearer rmt_" + "f".repeat(43), null, null));
        callers.put("bad-cookie", new FuzzCaller("bad-cookie", "none", null, "rm_session=rmc_forged" + "0".repeat(40),
                                                 "0".repeat(64)));
    }

    private static String token(Api api, String name, String role) {
        return api.post("/api/tokens", Map.of("name", name, "role", role)).expect(201).json().path("token").asText();
    }

    /** Logs the role's user in again (after the fuzzer logged it out or a PATCH ended its sessions). */
    void login(String role) {
        String user = "fz-" + role;
        byte[] body = Json.write(Map.of("username", user, "password", PASSWORD))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RawHttp.Response r = http.send(http.wire("POST", "/api/login",
                                                 List.<String[]>of(new String[] {"Content-Type", "application/json"}),
                                                 body, -1, false));
        if (r.status() != 200) {
            throw new AssertionError("login of " + user + " failed: " + r.status() + " " + r.body());
        }
        String cookie = r.all("Set-Cookie").stream().filter(c -> c.startsWith("rm_session=")).findFirst()
                .orElseThrow().split(";")[0];
        String csrf = new Api.Reply(r.status(), r.body()).json().path("csrf_token").asText();
        callers.put(role + "-session", new FuzzCaller(role + "-session", role, null, cookie, csrf));
    }

    /** Logs in again when the role's session no longer works; true when it did. */
    boolean refreshSession(String role) {
        FuzzCaller c = caller(role + "-session");
        RawHttp.Response me = http.send(http.wire("GET", "/api/me", c.headers(), new byte[0], -1, false));
        if (me.status() == 401) {
            login(role);
            return true;
        }
        return false;
    }

    private void hosts() throws Exception {
        for (String h : List.of("a", "b")) {
            String token = admin.post("/api/enrollment-tokens", Map.of("name", "fz-" + h)).expect(201).json()
                    .path("token").asText();
            JsonNode enrolled = Api.anonymous(stack.gateway()).post("/api/agents/enroll", Map.of(
                    "token", token, "hostname", "fz-" + h, "os", "linux", "arch", "amd64", "agent_version", "fuzz"))
                    .expect(201).json();
            ids.put("host_" + h, enrolled.path("host_id").asText());
            agentTokens.put(h, enrolled.path("agent_token").asText());
        }
        ids.put("enrollment", admin.post("/api/enrollment-tokens", Map.of("name", "fz-spare")).expect(201).json()
                .path("id").asText());
        ids.put("repo", BenchSetup.createRepo(admin, "fz-repo", stack.dataDir().resolve("fz-repo").toString(),
                                              PASSWORD));
        ids.put("repo2", BenchSetup.createRepo(admin, "fz-repo-2", stack.dataDir().resolve("fz-repo-2").toString(),
                                               PASSWORD));
        BenchSetup.assignRepo(admin, ids.get("host_a"), ids.get("repo"));
        BenchSetup.assignRepo(admin, ids.get("host_b"), ids.get("repo2"));
        for (String h : List.of("a", "b")) {
            agent(h);
        }
        Await.until(Duration.ofSeconds(30), "both fuzz hosts online", () ->
                "online".equals(admin.get("/api/hosts/" + ids.get("host_a")).json().path("status").asText())
                        && "online".equals(admin.get("/api/hosts/" + ids.get("host_b")).json().path("status").asText()));
    }

    /** The connected agent of host "a" or "b", reconnecting (and saying hello) when the hub closed it. */
    FuzzAgent agent(String h) {
        FuzzAgent current = agents.get(h);
        if (current != null && !current.isClosed()) {
            return current;
        }
        if (current != null) {
            ended.add(current);
        }
        FuzzAgent fresh = FuzzAgent.connect(stack.gateway(), "fz-" + h, agentTokens.get(h));
        fresh.hello();
        try {
            fresh.await("hello.ok", Duration.ofSeconds(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agents.put(h, fresh);
        return fresh;
    }

    /** A failed backup (its alert), a reported snapshot, then a backup left running for the agents to fuzz. */
    private void jobsAlertAndSnapshot() throws Exception {
        FuzzAgent a = agent("a");
        String failed = run(a);
        a.send(new Message.JobLog(failed, 2, List.of(new Message.LogLine(2, Instant.now(), "stdout", "fuzz seed"))));
        a.send(new Message.JobFinished(failed, 3, JobStatus.FAILED, 1, Map.of(), "fuzz seed failure", Instant.now()));
        ids.put("job_done", failed);
        Await.until(Duration.ofSeconds(20), "the failed backup's alert", () ->
                admin.get("/api/alerts").json().path("items").size() > 0);
        ids.put("alert", admin.get("/api/alerts").json().path("items").get(0).path("id").asText());

        String snapshot = "f0" + "0123456789abcdef".repeat(4).substring(2);
        a.send(new Message.SnapshotsReport(null, ids.get("repo"), List.of(new SnapshotInfo(
                snapshot, snapshot.substring(0, 8), Instant.now(), List.of("/srv"), List.of("fuzz"), "fz-a", "root",
                "ab".repeat(32), null, Map.of()))));
        Await.until(Duration.ofSeconds(20), "the reported snapshot", () -> admin.get(
                "/api/hosts/" + ids.get("host_a") + "/snapshots").json().path("items").size() > 0);
        ids.put("snapshot", admin.get("/api/hosts/" + ids.get("host_a") + "/snapshots").json().path("items").get(0)
                .path("id").asText());
        ids.put("job", run(a));
    }

    /** Starts a backup on host a and acknowledges it: the job is running. */
    private String run(FuzzAgent a) throws InterruptedException {
        String jobId = admin.post("/api/hosts/" + ids.get("host_a") + "/jobs",
                                  Map.of("kind", "backup", "paths", List.of("/srv"))).expect(202).json()
                .path("job_id").asText();
        a.await(jobId, Duration.ofSeconds(20));
        a.send(new Message.JobAck(jobId, 1, true, null, "restic backup /srv", Instant.now()));
        Await.until(Duration.ofSeconds(20), "job " + jobId + " running", () ->
                "running".equals(admin.get("/api/jobs/" + jobId).json().path("status").asText()));
        return jobId;
    }

    /**
     * Copies that DELETE aims at, so one lucky delete does not leave the rest of the run knocking on 404s: a third
     * host (never connected), a repository, a schedule, a channel and a silence.
     */
    private void sacrificial() {
        String token = admin.post("/api/enrollment-tokens", Map.of("name", "fz-c")).expect(201).json().path("token")
                .asText();
        ids.put("host_c", Api.anonymous(stack.gateway()).post("/api/agents/enroll", Map.of("token", token,
                "hostname", "fz-c", "os", "linux", "arch", "amd64", "agent_version", "fuzz")).expect(201).json()
                .path("host_id").asText());
        ids.put("repo3", BenchSetup.createRepo(admin, "fz-repo-3", stack.dataDir().resolve("fz-repo-3").toString(),
                                               PASSWORD));
        BenchSetup.assignRepo(admin, ids.get("host_c"), ids.get("repo3"));
        ids.put("schedule2", admin.post("/api/schedules", Map.of("host_id", ids.get("host_c"), "cron", "0 0 29 2 *",
                "kind", "check")).expect(201).json().path("id").asText());
        ids.put("channel2", admin.post("/api/alert-channels", Map.of("name", "fz-hook-2", "kind", "webhook",
                "config", Map.of("url", "http://127.0.0.1:9/hook"), "enabled", false)).expect(201).json()
                .path("id").asText());
        ids.put("silence2", admin.post("/api/alerts/silences", Map.of("host_id", ids.get("host_c"), "duration_s",
                3600, "reason", "fuzz")).expect(201).json().path("id").asText());
    }

    private void extras() {
        ids.put("schedule", admin.post("/api/schedules", Map.of("host_id", ids.get("host_a"), "cron", "0 0 29 2 *",
                                                                "kind", "check")).expect(201).json().path("id").asText());
        ids.put("silence", admin.post("/api/alerts/silences", Map.of("rule", "host_offline", "host_id",
                ids.get("host_a"), "duration_s", 3600, "reason", "fuzz")).expect(201).json().path("id").asText());
        ids.put("channel", admin.post("/api/alert-channels", Map.of("name", "fz-hook", "kind", "webhook", "config",
                Map.of("url", "http://127.0.0.1:9/hook"), "enabled", false)).expect(201).json().path("id").asText());
    }

    /** Connections the hub or gateway closed with 1011 (internal error), and error frames saying "internal". */
    int wsServerErrors() {
        int n = 0;
        for (FuzzAgent a : ended) {
            n += a.internalErrors() + (a.closeCode() == 1011 ? 1 : 0);
        }
        for (FuzzAgent a : agents.values()) {
            n += a.internalErrors() + (a.closeCode() == 1011 ? 1 : 0);
        }
        return n;
    }

    FuzzCaller caller(String name) {
        FuzzCaller c = callers.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown caller " + name);
        }
        return c;
    }

    Api admin() {
        return admin;
    }

    /** Replaces {@code {{name}}} with the real id (or the caller's CSRF token); unknown names stay as they are. */
    String resolve(String text, FuzzCaller caller) {
        if (text == null || text.indexOf("{{") < 0) {
            return text;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String key = m.group(1);
            String value = key.equals("csrf") ? (caller.csrf() == null ? "" : caller.csrf()) : ids.get(key);
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public void close() {
        agents.values().forEach(FuzzAgent::close);
    }
}
