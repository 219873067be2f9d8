package io.resticmanager.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A hook's stdout and stderr, line by line into the job log behind the hook's prefix, through the job's sink (which
 * redacts them like restic's lines). Bounded: past {@link #MAX_LINES} lines or {@link #MAX_CHARS} characters one
 * "output truncated" line is logged and the rest is read and dropped, so a chatty hook neither floods the server nor
 * blocks on a full pipe; a single line is cut at {@link #MAX_LINE_CHARS}.
 */
final class HookOutput {
    static final int MAX_LINES = 10_000;
    static final long MAX_CHARS = 1024 * 1024;
    static final int MAX_LINE_CHARS = 8 * 1024;

    private final String prefix;
    private final JobSink sink;
    private int lines;
    private long chars;
    private boolean truncated;
    private List<Thread> pumps = List.of();

    HookOutput(String prefix, JobSink sink) {
        this.prefix = prefix;
        this.sink = sink;
    }

    /** Starts reading both of the process's output streams. */
    void read(Process process) {
        pumps = List.of(Thread.ofVirtual().name("hook-stdout-" + process.pid())
                                .start(() -> pump(process.getInputStream(), "stdout")),
                        Thread.ofVirtual().name("hook-stderr-" + process.pid())
                                .start(() -> pump(process.getErrorStream(), "stderr")));
    }

    /**
     * Waits up to {@code wait} for both streams to end. False when they are still open: a background process the
     * hook started holds them (it is read on, but not waited for).
     */
    boolean awaitEnd(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (Thread t : pumps) {
                if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void pump(InputStream in, String stream) {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buf = new char[8192];
            StringBuilder line = new StringBuilder();
            int n;
            while ((n = r.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        emit(stream, line.toString());
                        line.setLength(0);
                    } else if (line.length() < MAX_LINE_CHARS) {
                        // the rest of an over-long line is dropped: one line never holds more memory than this
                        line.append(buf[i]);
                    }
                }
            }
            if (!line.isEmpty()) {
                emit(stream, line.toString());
            }
        } catch (IOException e) {
            // the stream closes when the hook (and whatever it started) is gone
        } catch (RuntimeException e) {
            // a failing sink must not leave the hook blocked on a full pipe
            drain(in);
        }
    }

    private void emit(String stream, String raw) {
        String line = Restic.ANSI.matcher(raw).replaceAll("");
        if (line.isBlank()) {
            return;
        }
        synchronized (this) {
            if (truncated) {
                return;
            }
            if (lines >= MAX_LINES || chars + line.length() > MAX_CHARS) {
                truncated = true;
                sink.log("event", prefix + "… output truncated (more than " + MAX_LINES + " lines or "
                        + MAX_CHARS / (1024 * 1024) + " MiB); the rest is not logged");
                return;
            }
            lines++;
            chars += line.length();
        }
        sink.log(stream, prefix + line);
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // process gone
        }
    }
}
