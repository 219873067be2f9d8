package io.resticmanager.system;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Follows every service's log for server errors a client never sees: a 5xx between two services (the UI calling
 * the gateway, agent-hub forwarding events to jobs-service) shows only in the callee's access line
 * ({@code status=5xx}) or as an unhandled error.
 */
final class LogWatch {
    private static final Pattern SERVER_ERROR = Pattern.compile(
            "status=5\\d\\d\\b|unhandled error on|server error on|Internal server error|Exception in thread"
                    + "|OutOfMemoryError");

    private final Map<String, Path> logs = new LinkedHashMap<>();
    private final Map<String, Long> offsets = new LinkedHashMap<>();

    LogWatch(Path logDir) {
        for (String service : Stack.SERVICES.keySet()) {
            Path log = logDir.resolve(service + ".log");
            logs.put(service, log);
            offsets.put(service, size(log));
        }
    }

    /** Server-error lines written since the last call, each prefixed with its service. */
    List<String> fresh() {
        List<String> found = new ArrayList<>();
        for (var e : logs.entrySet()) {
            long from = offsets.get(e.getKey());
            long to = size(e.getValue());
            if (to <= from) {
                continue;
            }
            String text = read(e.getValue(), from, to);
            // keep a partial last line for the next call
            int end = text.lastIndexOf('\n') + 1;
            offsets.put(e.getKey(), from + text.substring(0, end).getBytes(StandardCharsets.ISO_8859_1).length);
            for (String line : text.substring(0, end).split("\n")) {
                if (SERVER_ERROR.matcher(line).find()) {
                    found.add(e.getKey() + ": " + line.strip());
                }
            }
        }
        return found;
    }

    private static String read(Path file, long from, long to) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[(int) Math.min(to - from, 64L * 1024 * 1024)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
