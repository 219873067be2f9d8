package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Asks the real restic binary directly, to check what the product claims. */
final class Restic {
    private Restic() {
    }

    static JsonNode snapshots(Path repo, String password) throws IOException, InterruptedException {
        return Json.MAPPER.readTree(run(repo, password, "snapshots", "--json"));
    }

    /** restic against any repository URL (a REST server, say); returns the exit code, output discarded. */
    static int exitCode(String repo, String password, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("restic", "--repo", repo));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("RESTIC_PASSWORD", password);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("restic " + String.join(" ", args) + " hung");
        }
        return p.exitValue();
    }

    static String run(Path repo, String password, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("restic", "--repo", repo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("RESTIC_PASSWORD", password);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("restic " + String.join(" ", args) + " failed");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
