package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real {@code prometheus} binary on a free loopback port with a given config, and its HTTP API. */
final class PrometheusProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String base;
    private final Path log;
    private int queries;

    private PrometheusProcess(Process process, String base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** What a command line tool said: its exit code and its output (stdout and stderr together). */
    record Result(int exit, String output) {
    }

    static Optional<Path> onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs e.g. {@code promtool check rules x.yml} to its end (at most 60 s). */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " hung");
        }
        return new Result(p.exitValue(), out);
    }

    /** Writes {@code config} to {@code dir}/prometheus.yml, starts Prometheus on it and waits until it is ready. */
    static PrometheusProcess start(Path binary, Path dir, Path log, String config) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port = Stack.freePort();
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--config.file=" + file,
                                                   "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                                   "--web.listen-address=127.0.0.1:" + port));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PrometheusProcess prometheus = new PrometheusProcess(p, "http://127.0.0.1:" + port, log);
        try {
            Await.until(Duration.ofSeconds(30), "prometheus ready (see " + log + ")", () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("prometheus exited with " + p.exitValue() + "; see " + log);
                }
                return Stack.status(prometheus.base + "/-/ready") == 200;
            });
        } catch (RuntimeException | AssertionError e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    /** {@code GET /api/v1/query} at the current time; the whole answer (status, data or error). */
    JsonNode query(String promql) {
        queries++;
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** How many queries {@link #query} sent. */
    int queries() {
        return queries;
    }

    JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                                                       .timeout(Duration.ofSeconds(10)).build(),
                                               HttpResponse.BodyHandlers.ofString());
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("prometheus API " + pathAndQuery + " failed (see " + log + "): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
