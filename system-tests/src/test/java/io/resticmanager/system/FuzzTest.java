package io.resticmanager.system;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;

/**
 * Thousands of hostile and malformed inputs against the real stack, and not one server error: every public route
 * as every role (and none, and a forged one) with random methods, paths, queries, headers and bodies, plus an
 * enrolled agent sending garbage over its WebSocket. Seeded: the seed is printed, {@code -Dfuzz.seed=} replays a
 * run and {@code -Dfuzz.requests=} / {@code -Dfuzz.frames=} size it. Inputs that ever failed live in
 * {@code src/test/resources/fuzz-corpus/} and are replayed first.
 *
 * <p>Besides the status codes, the services' databases are the witness: requests built to be refused must not
 * change a row, and in the mixed phase rows only change in a window where a write was accepted.
 */
class FuzzTest {
    private static final long WS = 0x5753L;
    private static final long REFUSED = 0x524546L;
    private static final long MIXED = 0x4D4958L;
    /** Mixed requests between two database readings at most (a window ends early after an accepted write). */
    private static final int WINDOW = 25;

    @Test
    void thousandsOfHostileInputsAndNotOneServerError() throws Exception {
        long seed = Long.getLong("fuzz.seed", new SplittableRandom().nextLong());
        int requests = Integer.getInteger("fuzz.requests", 5000);
        int frames = Integer.getInteger("fuzz.frames", requests / 2);
        System.out.println("fuzz: seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        // Timers that would write on their own (alert sweeps, ack and offline timeouts, the stats refresh a finished
        // backup queues, background indexing's requests) are pushed out of the run or turned off,
        // so every row that changes is the answer to an input; one address may log in as often as the fuzzer does.
        // The log directory is this run's own: logs are evidence, and a second run on the checkout must not mix in.
        try (Stack stack = Stack.start("fuzz-" + ProcessHandle.current().pid(),
                                       "rm.jobs.alert-sweep-interval-s=100000", "rm.jobs.ack-timeout-s=100000",
                                       "rm.jobs.lost-after-s=100000", "rm.jobs.stats-refresh=false",
                                       "rm.hub.offline-after-s=100000", "rm.inventory.index.backfill-interval=PT0S",
                                       "rm.hub.request-timeout-ms=3000", "rm.gateway.login.ip-per-minute=1000000",
                                       "rm.gateway.login.ip-burst=1000000",
                                       "rm.gateway.login.account-failures=1000000")) {
            // a test JVM stopped from outside must not leave five services behind on a shared machine
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            LogWatch logs = new LogWatch(stack.logDir());
            FuzzCorpus corpus = FuzzCorpus.standard();
            try (FuzzWorld world = FuzzWorld.seed(stack); DbState db = new DbState(stack.dataDir())) {
                FuzzRunner run = new FuzzRunner(world, logs, corpus, seed);
                long t0 = System.nanoTime();
                int replayed = replay(run, corpus, db, world);
                long t1 = System.nanoTime();
                agentFrames(run, world, db, new FuzzFrames(new SplittableRandom(seed ^ WS)), frames);
                long t2 = System.nanoTime();
                refused(run, db, new FuzzGen(new SplittableRandom(seed ^ REFUSED)), requests * 2 / 5);
                long t3 = System.nanoTime();
                mixed(run, db, new FuzzGen(new SplittableRandom(seed ^ MIXED)), requests - requests * 2 / 5);
                long t4 = System.nanoTime();
                stillStanding(run, stack, logs);
                System.out.printf("fuzz: corpus %.1f s, frames %.1f s, refused %.1f s, mixed %.1f s%n", (t1 - t0) / 1e9,
                                  (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9);
                String summary = "fuzz: " + run.requests + " requests, " + run.frames + " frames, "
                        + run.serverErrors.size() + " server errors (seed " + seed + ")";
                System.out.println(summary);
                System.out.println("fuzz: " + replayed + " corpus entries replayed first");
                System.out.println("fuzz: statuses " + run.statuses);
                System.out.println("fuzz: 2xx by route " + run.accepted);
                run.serverErrors.forEach(e -> System.out.println("fuzz: server error: " + e));
                run.violations.forEach(v -> System.out.println("fuzz: violation: " + v));
                assertThat(summary + "\n" + String.join("\n", first(run.serverErrors)), run.serverErrors, empty());
                assertThat(summary + "\n" + String.join("\n", first(run.violations)), run.violations, empty());
            }
        }
    }

    /** Every saved input first: each once made a service fail. */
    private static int replay(FuzzRunner run, FuzzCorpus corpus, DbState db, FuzzWorld world) throws Exception {
        List<FuzzCorpus.Entry> entries = corpus.load();
        for (FuzzCorpus.Entry e : entries) {
            if (e.input().path("kind").asText().equals("ws")) {
                int before = world.wsServerErrors();
                List<FuzzFrames.Frame> batch = new ArrayList<>();
                e.input().path("frames").forEach(f -> batch.add(FuzzFrames.Frame.fromJson(f)));
                batch.forEach(run::send);
                run.judge(batch, db, before, true);
            } else {
                run.send(FuzzRequest.fromJson(e.input()), true);
            }
        }
        return entries.size();
    }

    /** Agents "a" and "b" send random frames in batches, with floods; then b's forged events must be nowhere. */
    private static void agentFrames(FuzzRunner run, FuzzWorld world, DbState db, FuzzFrames gen, int frames) {
        List<FuzzFrames.Frame> batch = new ArrayList<>();
        int before = world.wsServerErrors();
        int sent = 0;
        while (sent < frames) {
            List<FuzzFrames.Frame> next = sent % 600 == 300 ? gen.flood(Math.min(200, frames - sent))
                    : List.of(gen.next());
            for (FuzzFrames.Frame f : next) {
                run.send(f);
                batch.add(f);
                sent++;
            }
            if (batch.size() >= 50 || sent >= frames) {
                run.judge(batch, db, before, false);
                for (int i = 0; i < 3; i++) {
                    run.send(gen.shown(), false);
                }
                batch = new ArrayList<>();
                before = world.wsServerErrors();
            }
        }
        for (String job : List.of("job", "job_done")) {
            String log = world.admin().get("/api/jobs/" + world.ids.get(job) + "/logs?limit=10000").body();
            if (log.contains("fz b line")) {
                run.violation("host b's log lines landed in host a's job " + world.ids.get(job));
            }
        }
    }

    /** Requests built to be refused: not one may be accepted, and no table may change. */
    private static void refused(FuzzRunner run, DbState db, FuzzGen gen, int n) {
        Map<String, List<Long>> before = db.settled();
        for (int i = 0; i < n; i++) {
            FuzzRequest req = gen.refused();
            RawHttp.Response res = run.send(req, false);
            boolean page = !req.target().startsWith("/api/");
            if (!page && res.status() >= 200 && res.status() < 300) {
                run.violation("accepted a request built to be refused: " + req.brief() + " → " + res.status());
            }
        }
        List<String> diff = DbState.diff(before, db.settled());
        if (!diff.isEmpty()) {
            run.violation("refused requests changed rows: " + diff);
        }
    }

    /** Anything goes; rows may only change in a window where some write was accepted (2xx, or a 3xx off a form). */
    private static void mixed(FuzzRunner run, DbState db, FuzzGen gen, int n) {
        Map<String, List<Long>> start = db.settled();
        List<String> window = new ArrayList<>();
        boolean accepted = false;
        for (int i = 0; i < n; i++) {
            FuzzRequest req = gen.mixed();
            int logins = run.logins;
            RawHttp.Response res = run.send(req, false);
            window.add(req.brief() + " → " + res.status());
            accepted |= accepted(req, res) || run.logins != logins;
            if (accepted || window.size() >= WINDOW || i == n - 1) {
                Map<String, List<Long>> end = db.settled();
                if (!accepted && !end.equals(start)) {
                    run.violation("rows changed though every request was refused: " + DbState.diff(start, end)
                                          + " after " + window);
                }
                start = end;
                window.clear();
                accepted = false;
            }
        }
    }

    private static boolean accepted(FuzzRequest req, RawHttp.Response res) {
        if (!req.unsafe()) {
            return false;
        }
        int s = res.status();
        return s >= 200 && s < 300 || s >= 300 && s < 400 && !res.header("Location").orElse("").equals("/login");
    }

    /** No process died, every service is healthy, and nothing was logged since the last input. */
    private static void stillStanding(FuzzRunner run, Stack stack, LogWatch logs) {
        for (String service : Stack.SERVICES.keySet()) {
            boolean alive = ProcessHandle.of(stack.pid(service)).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                run.serverErrors.add(service + " died");
            } else if (Stack.status(stack.url(service) + "/health") != 200) {
                run.serverErrors.add(service + " /health is not 200 after the fuzzing");
            }
        }
        List<String> late = logs.fresh();
        if (!late.isEmpty()) {
            run.serverErrors.add("logged after the last input: " + FuzzRunner.shorten(String.join(" | ", late)));
        }
    }

    private static List<String> first(List<String> items) {
        return items.subList(0, Math.min(30, items.size()));
    }
}
