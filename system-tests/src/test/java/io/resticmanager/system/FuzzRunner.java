package io.resticmanager.system;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sends fuzz inputs and judges them: a status ≥ 500, a stack trace in a body, no answer at all, or a server
 * error in any service's log is a server error. Every new one is saved to the corpus (a few per route and
 * status, so one bug does not flood it).
 */
final class FuzzRunner {
    private static final Pattern STACK_TRACE = Pattern.compile(
            "\\bat (java|javax|jdk|sun|io\\.helidon|io\\.resticmanager|com\\.fasterxml|org\\.sqlite)\\.[\\w$.]+\\(|"
                    + "\\w+(Exception|Error): .*\\n\\s+at ");
    private static final int SAVES_PER_KIND = 2;

    private final FuzzWorld world;
    private final LogWatch logs;
    private final FuzzCorpus corpus;
    private final long seed;
    private final Map<String, Integer> saved = new HashMap<>();
    final List<String> serverErrors = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    int requests;
    int frames;
    /** Sessions opened again after the fuzzer ended one: a row the windows must not blame on refused requests. */
    int logins;
    private int marks;
    /** How often each status came back, and which routes ever said yes: is the fuzzer getting past the door? */
    final Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    final Map<String, Integer> accepted = new java.util.TreeMap<>();

    FuzzRunner(FuzzWorld world, LogWatch logs, FuzzCorpus corpus, long seed) {
        this.world = world;
        this.logs = logs;
        this.corpus = corpus;
        this.seed = seed;
    }

    /** The response, after judging it; {@code replay}: from the corpus, so never saved again. */
    RawHttp.Response send(FuzzRequest req, boolean replay) {
        requests++;
        RawHttp.Response res = world.http.send(req.wire(world));
        statuses.merge(res.status(), 1, Integer::sum);
        if (res.status() >= 200 && res.status() < 300) {
            accepted.merge(req.route(), 1, Integer::sum);
        }
        List<String> logged = new ArrayList<>(logs.fresh());
        if (res.status() >= 500 || res.status() <= 0) {
            // a service logs its own access line just after answering: collect it with this request
            sleep(60);
            logged.addAll(logs.fresh());
        }
        String problem = null;
        if (res.status() >= 500) {
            problem = "HTTP " + res.status() + " " + shorten(res.body());
        } else if (res.status() == -1) {
            problem = "no answer within " + RawHttp.READ_TIMEOUT_MS / 1000 + " s";
        } else if (STACK_TRACE.matcher(res.body()).find()) {
            problem = "stack trace in the " + res.status() + " body";
        }
        if (!logged.isEmpty()) {
            problem = (problem == null ? "HTTP " + res.status() + ", " : problem + "; ") + "logged "
                    + shorten(String.join(" | ", logged));
        }
        if (problem != null) {
            serverErrors.add(req.brief() + " → " + problem);
            if (!replay) {
                String kind = req.route() + " " + (res.status() >= 500 ? res.status() : "logged");
                if (saved.merge(kind, 1, Integer::sum) <= SAVES_PER_KIND) {
                    corpus.save(req.route().replace(' ', '-'), "found with seed " + seed + ": " + problem,
                                req.toJson());
                }
            }
        }
        if (res.status() == 401 && world.caller(req.caller()).session()) {
            // the fuzzer logged this user out (or a PATCH ended its sessions): log in again for what follows
            if (world.refreshSession(world.caller(req.caller()).role())) {
                logins++;
            }
        }
        return res;
    }

    /** Sends one frame through the agent's connection (reconnecting it when the hub closed it). */
    void send(FuzzFrames.Frame f) {
        frames++;
        FuzzAgent agent = world.agent(f.agent());
        String text = world.resolve(f.text(), world.caller("anonymous"));
        if (f.binary()) {
            agent.binary(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else {
            agent.fragments(text, f.fragments());
        }
    }

    /**
     * After a batch of frames: once the hub has read them all (a marker frame each agent sends last is answered),
     * its outbox must drain (a receiver failing on an event would hold it back) and no service may have logged a
     * server error. A failing batch is saved whole.
     */
    void judge(List<FuzzFrames.Frame> batch, DbState db, int wsErrorsBefore, boolean replay) {
        List<String> problems = new ArrayList<>();
        for (String name : batch.stream().map(FuzzFrames.Frame::agent).distinct().toList()) {
            if (!marked(world.agent(name))) {
                problems.add("agent-hub did not answer agent " + name + "'s frames within 30 s");
            }
        }
        String stuck = drained(db);
        if (stuck != null) {
            problems.add(stuck);
        }
        List<String> logged = logs.fresh();
        if (!logged.isEmpty()) {
            problems.add("logged " + shorten(String.join(" | ", logged)));
        }
        int ws = world.wsServerErrors() - wsErrorsBefore;
        if (ws > 0) {
            problems.add(ws + " internal errors or 1011 closes on the agent WebSocket");
        }
        if (problems.isEmpty()) {
            return;
        }
        String problem = String.join("; ", problems);
        serverErrors.add("frames batch of " + batch.size() + " → " + problem);
        if (!replay && saved.merge("ws", 1, Integer::sum) <= SAVES_PER_KIND * 3) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("kind", "ws");
            ArrayNode list = n.putArray("frames");
            batch.forEach(f -> list.add(f.toJson()));
            corpus.save("ws-frames", "found with seed " + seed + ": " + problem, n);
        }
    }

    /** Sends a frame of an unknown type and waits for the hub's error about it: every frame before it was read. */
    private boolean marked(FuzzAgent agent) {
        String mark = "fz.mark." + (++marks);
        agent.text("{\"v\":1,\"type\":\"" + mark + "\",\"id\":\"m" + marks + "\",\"ts\":\"" + FuzzFrames.TS
                           + "\",\"payload\":{}}");
        try {
            agent.await(mark, Duration.ofSeconds(30));
            return true;
        } catch (AssertionError e) {
            return agent.isClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Null once the outbox is empty; a description when its oldest event has not moved for 15 s. */
    private static String drained(DbState db) {
        String oldest = "";
        long since = System.nanoTime();
        while (true) {
            List<String> head = db.query("agent-hub.db", "SELECT id, type, to_jobs, to_inventory, substr(payload, 1, "
                    + "200) FROM outbox ORDER BY id LIMIT 3");
            if (head.isEmpty()) {
                return null;
            }
            if (!head.getFirst().equals(oldest)) {
                oldest = head.getFirst();
                since = System.nanoTime();
            } else if (System.nanoTime() - since > Duration.ofSeconds(15).toNanos()) {
                return "agent-hub's outbox is stuck at " + head;
            }
            sleep(20);
        }
    }

    void violation(String what) {
        violations.add(what);
    }

    static String shorten(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 400 ? one.substring(0, 400) + "…" : one;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
