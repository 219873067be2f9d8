package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/** Seeding shared by the benchmarks: enrollment, repositories, tokens — fast paths where the contract allows. */
final class BenchSetup {
    static final String ADMIN = "bench-admin";
    static final String ADMIN_PASSWORD = "bench-admin-password-0f9c1e";
    static final String PRINCIPAL = "{\"user_id\":\"bench\",\"username\":\"bench\",\"role\":\"admin\"}";

    private BenchSetup() {
    }

    record Enrolled(String hostname, String hostId, String agentToken) {
    }

    /** agent-hub on its own port, as the gateway would call it for an admin. */
    static Api hub(Stack stack) throws IOException {
        return Api.internal(stack.url("agent-hub"), stack.internalToken(), PRINCIPAL);
    }

    static Api inventory(Stack stack) throws IOException {
        return Api.internal(stack.url("inventory-service"), stack.internalToken(), PRINCIPAL);
    }

    /** One-time token + enrollment, both straight at agent-hub (what the gateway would forward). */
    static Enrolled enroll(Api hub, String hostname) {
        String token = hub.post("/api/enrollment-tokens", Map.of("name", hostname)).expect(201).json()
                .path("token").asText();
        JsonNode enrolled = hub.post("/api/agents/enroll", Map.of("token", token, "hostname", hostname,
                "os", "linux", "arch", "amd64", "agent_version", "bench")).expect(201).json();
        return new Enrolled(hostname, enrolled.path("host_id").asText(), enrolled.path("agent_token").asText());
    }

    /**
     * Runs {@code task(i)} for i in [0, n) on virtual threads, at most {@code concurrency} at a time; returns
     * the results in order. The first failure is rethrown after all started tasks ended.
     */
    static <T> List<T> parallel(int n, int concurrency, IntFunction<T> task) throws InterruptedException {
        List<T> results = new ArrayList<>(java.util.Collections.nCopies(n, null));
        Semaphore permits = new Semaphore(concurrency);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n && failure.get() == null; i++) {
            permits.acquire();
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    T value = task.apply(index);
                    synchronized (results) {
                        results.set(index, value);
                    }
                } catch (RuntimeException | AssertionError e) {
                    failure.compareAndSet(null, e);
                } finally {
                    permits.release();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first != null) {
            throw (AssertionError) first;
        }
        return results;
    }

    static String createRepo(Api admin, String name, String url, String password) {
        return admin.post("/api/repos", Map.of("name", name, "url", url, "password", password)).expect(201).json()
                .path("id").asText();
    }

    /** Assigns a repository once inventory-service knows the host (enrollment reaches it through the outbox). */
    static void assignRepo(Api admin, String hostId, String repoId) {
        Await.until(Duration.ofSeconds(60), "host " + hostId + " known to inventory",
                    () -> admin.get("/api/hosts/" + hostId).status() == 200);
        admin.patch("/api/hosts/" + hostId, Map.of("repo_id", repoId)).expect(200);
    }

    /** A viewer API token (what a script or a second browser would use). */
    static String viewerToken(Api admin, String name) {
        return admin.post("/api/tokens", Map.of("name", name, "role", "viewer")).expect(201).json()
                .path("token").asText();
    }

    /** One host event as inventory's {@code /internal/events} takes it from the hub (a fresh id). */
    static java.util.Map<String, Object> hostEvent(String hostId, String type, java.time.Instant at, Object payload) {
        java.util.Map<String, Object> e = new java.util.LinkedHashMap<>();
        e.put("id", java.util.UUID.randomUUID().toString());
        e.put("host_id", hostId);
        e.put("type", type);
        e.put("at", at.toString());
        e.put("payload", payload);
        return e;
    }

    static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
