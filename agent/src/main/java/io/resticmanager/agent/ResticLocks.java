package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repository's locks as a stats job reports them: {@code restic list locks --no-lock}, then {@code restic cat lock
 * <id> --no-lock} for the first {@link #MAX_DETAILED} (restic prints each lock as indented JSON). A lock is stale by
 * restic's own rule: older than 30 minutes, or taken on this machine by a process that no longer exists — the locks
 * that a plain {@code restic unlock} removes.
 */
final class ResticLocks {
    /** Locks described one by one at most; more are only counted. */
    static final int MAX_DETAILED = 20;
    static final Duration STALE_AFTER = Duration.ofMinutes(30);
    private static final int MAX_LOCK_CHARS = 4096;
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private ResticLocks() {
    }

    /**
     * Adds {@code lock_count}, {@code stale_lock_count} and {@code locks} (id, time, exclusive, hostname, username,
     * pid, stale) to {@code summary}; adds nothing when the locks cannot be listed (the log says why).
     */
    static void report(Restic restic, JobSink sink, Cancellation cancel, Map<String, Object> summary)
            throws IOException {
        List<String> ids = new ArrayList<>();
        List<String> listArgs = List.of("list", "locks", "--no-lock");
        sink.log("event", restic.commandLine(listArgs));
        Restic.Result listed = restic.run(listArgs, new Restic.Output() {
            @Override
            public void json(String stream, JsonNode node) {
                sink.log(stream, node.toString());
            }

            @Override
            public void text(String stream, String line) {
                if (stream.equals("stdout") && ID.matcher(line.strip()).matches()) {
                    ids.add(line.strip());
                } else {
                    sink.log(stream, line);
                }
            }
        }, cancel);
        if (listed.exitCode() != 0 || listed.cancelled()) {
            return;
        }
        String localHost = osHostname();
        Instant now = Instant.now();
        List<Map<String, Object>> locks = new ArrayList<>();
        int stale = 0;
        for (String id : ids) {
            if (locks.size() == MAX_DETAILED || cancel.requested()) {
                break;
            }
            StringBuilder text = new StringBuilder();
            JsonNode[] whole = new JsonNode[1];
            Restic.Result cat = restic.run(List.of("cat", "lock", id, "--no-lock"), new Restic.Output() {
                @Override
                public void json(String stream, JsonNode node) {
                    whole[0] = node;
                }

                @Override
                public void text(String stream, String line) {
                    if (stream.equals("stdout") && text.length() < MAX_LOCK_CHARS) {
                        text.append(line).append('\n');
                    } else if (!stream.equals("stdout")) {
                        sink.log(stream, line);
                    }
                }
            }, cancel);
            if (cat.exitCode() != 0) {
                continue; // removed meanwhile: its holder finished
            }
            JsonNode node = whole[0] != null ? whole[0] : parse(text.toString());
            if (node == null || !node.isObject()) {
                continue;
            }
            Map<String, Object> lock = lock(id, node, localHost, now);
            if (Boolean.TRUE.equals(lock.get("stale"))) {
                stale++;
            }
            locks.add(lock);
        }
        summary.put("lock_count", (long) ids.size());
        summary.put("stale_lock_count", (long) stale);
        summary.put("locks", locks);
    }

    /** One lock's facts; {@code stale} by restic's rule (see the class comment). */
    static Map<String, Object> lock(String id, JsonNode node, String localHost, Instant now) {
        Map<String, Object> lock = new LinkedHashMap<>();
        lock.put("id", id);
        Instant time = ResticJson.time(node.path("time").asText(""));
        if (time != null) {
            lock.put("time", time.toString());
        }
        lock.put("exclusive", node.path("exclusive").asBoolean(false));
        String hostname = node.path("hostname").asText("");
        lock.put("hostname", hostname);
        lock.put("username", node.path("username").asText(""));
        long pid = node.path("pid").asLong(0);
        lock.put("pid", pid);
        boolean old = time != null && Duration.between(time, now).compareTo(STALE_AFTER) > 0;
        boolean deadHere = !hostname.isEmpty() && hostname.equals(localHost) && pid > 0
                && ProcessHandle.of(pid).isEmpty();
        lock.put("stale", old || deadHere);
        return lock;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** The kernel's hostname, as restic's {@code os.Hostname()} reads it (not the agent's reported name). */
    static String osHostname() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return Files.readString(kernel).strip();
            }
        } catch (IOException ignored) {
            // not Linux
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }
}
