package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared steps of the system tests: an admin, an enrolled real agent with a repository, job helpers. */
final class Fleet {
    private Fleet() {
    }

    /** Enrolls and starts a real agent, assigns it a fresh repository, returns its host id. */
    static String enrollWithRepo(Stack stack, Api admin, AgentProcess agent, Path repo, String password)
            throws IOException, InterruptedException {
        String token = admin.post("/api/enrollment-tokens", Map.of("name", "test")).expect(201).json()
                .path("token").asText();
        if (agent.enroll(stack.gateway(), token) != 0) {
            throw new AssertionError("enroll failed; see agent log");
        }
        String hostId = agent.hostId();
        agent.start();
        Await.until(Duration.ofSeconds(20), "host online", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        String repoId = admin.post("/api/repos", Map.of("name", "repo-" + hostId.substring(0, 8), "url", repo.toString(),
                                                        "password", password)).expect(201).json().path("id").asText();
        admin.patch("/api/hosts/" + hostId, Map.of("repo_id", repoId)).expect(200);
        return hostId;
    }

    static String run(Api api, String hostId, Map<String, ?> body) {
        return api.post("/api/hosts/" + hostId + "/jobs", body).expect(202).json().path("job_id").asText();
    }

    static JsonNode awaitEnd(Api api, String jobId, Duration timeout) {
        return Await.within(timeout, "job " + jobId + " finished").until(() -> api.get("/api/jobs/" + jobId).json(),
                job -> !job.path("status").asText().equals("queued") && !job.path("status").asText().equals("running"));
    }

    static JsonNode runAndWait(Api api, String hostId, Map<String, ?> body) {
        return awaitEnd(api, run(api, hostId, body), Duration.ofSeconds(90));
    }

    /** Every stored event seq of a job (log lines, progress, ack, finished), in order. */
    static List<Long> seqs(Api api, String jobId) {
        List<Long> seqs = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode items = api.get("/api/jobs/" + jobId + "/logs?include=progress&limit=10000&after_seq=" + after)
                    .expect(200).json().path("items");
            if (items.isEmpty()) {
                return seqs;
            }
            for (JsonNode item : items) {
                seqs.add(item.path("seq").asLong());
                after = item.path("seq").asLong();
            }
        }
    }

    /** Incompressible files, so a backup takes measurable time. */
    static void randomFiles(Path dir, int files, int bytesEach, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        byte[] buf = new byte[bytesEach];
        for (int i = 0; i < files; i++) {
            random.nextBytes(buf);
            try (OutputStream out = Files.newOutputStream(dir.resolve("blob-" + i + ".bin"))) {
                out.write(buf);
            }
        }
    }
}
