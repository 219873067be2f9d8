package io.resticmanager.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Resource readings of another local process: RSS and open descriptors from /proc, live heap through jcmd, CPU time. */
final class BenchProcess {
    private static final Pattern USED = Pattern.compile("used (\\d+)([KMG])");

    private BenchProcess() {
    }

    /** Resident set size in bytes ({@code VmRSS} of /proc/&lt;pid&gt;/status). */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).strip().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** Open file descriptors (entries of /proc/&lt;pid&gt;/fd): files, sockets, pipes. */
    static long openFds(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /**
     * Heap in use right after a full collection ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes:
     * what the process really keeps alive, not what garbage happens to lie around.
     */
    static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long total = 0;
        boolean found = false;
        for (String line : info.lines().toList()) {
            if (line.strip().startsWith("Metaspace") || line.strip().startsWith("class space")) {
                break; // not heap
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                long value = Long.parseLong(m.group(1));
                total += switch (m.group(2)) {
                    case "K" -> value * 1024;
                    case "M" -> value * 1024 * 1024;
                    default -> value * 1024 * 1024 * 1024;
                };
                found = true;
            }
        }
        if (!found) {
            throw new IOException("cannot read heap use of pid " + pid + " from: " + info);
        }
        return total;
    }

    /** CPU time (user + system) the process has used so far. */
    static Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for pid " + pid));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
