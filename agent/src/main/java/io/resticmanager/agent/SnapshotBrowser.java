package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.RepoPolicy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Answers {@code snapshot.ls} (restore browsing): ONE directory level of a snapshot, by
 * {@code restic ls --json <snapshot> <path>}. With a directory argument restic (0.14 as well as newer ones
 * without {@code --recursive}) prints that node and its direct children; only the children are kept, and
 * reading stops (restic is stopped) once a reply is full. Runs beside jobs, never as one: a running backup
 * holds only a shared lock and {@code ls} takes none that conflicts.
 */
final class SnapshotBrowser {
    /** The hub gives up after 20 s; answer before that, even if it is an error. */
    static final Duration TIMEOUT = Duration.ofSeconds(18);
    private static final int PARALLEL = 4;

    private final Jobs.ResticSetup setup;
    private final Semaphore slots = new Semaphore(PARALLEL);

    SnapshotBrowser(Jobs.ResticSetup setup) {
        this.setup = setup;
    }

    Message.SnapshotLsResult list(Message.SnapshotLs request) {
        String path = normalize(request.path());
        if (!path.startsWith("/")) {
            return error(request.path(), "path must be absolute");
        }
        return inSlot(request.repo(), request.snapshotId(), path, SnapshotBrowser::error,
                      restic -> run(restic, request.snapshotId(), path));
    }

    /**
     * Runs {@code work} with restic on the request's repository in one of the listing slots. A refusal on the way
     * (a bad snapshot id, no restic, a repository this agent refuses, every slot busy) is answered by {@code error}
     * (path, message) instead.
     */
    private <T> T inSlot(RepoAccess repo, String snapshotId, String path, BiFunction<String, String, T> error,
                         Function<Restic, T> work) {
        if (!Checks.snapshotId(snapshotId)) {
            return error.apply(path, "snapshot_id must be 8 to 64 lowercase hex characters");
        }
        if (setup.binary().isEmpty() || setup.version().isEmpty()) {
            return error.apply(path, setup.problem().orElse("restic is not available"));
        }
        Restic restic;
        try {
            restic = new Restic(setup.binary().get(), setup.version().get(), repo.url(), repo.password(), repo.env());
        } catch (RepoPolicy.Violation e) {
            return error.apply(path, "repository refused by this agent: " + e.getMessage());
        }
        try {
            if (!slots.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return error.apply(path, "too many snapshot listings at once; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error.apply(path, "interrupted");
        }
        try {
            return work.apply(restic);
        } finally {
            slots.release();
        }
    }

    /** Cancels {@code stop} once {@link #TIMEOUT} has passed; interrupt the thread it returns when done in time. */
    private static Thread deadline(Cancellation stop) {
        return Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(TIMEOUT.toMillis());
                stop.cancel();
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
    }

    private static Message.SnapshotLsResult run(Restic restic, String snapshot, String path) {
        List<Message.SnapshotEntry> entries = new ArrayList<>();
        AtomicBoolean found = new AtomicBoolean(path.equals("/"));
        AtomicBoolean truncated = new AtomicBoolean();
        Cancellation stop = new Cancellation(Duration.ofSeconds(2));
        Thread timer = deadline(stop);
        Restic.Result result;
        try {
            result = restic.run(List.of("ls", "--json", "--", snapshot, path), new Restic.Output() {
                @Override
                public void json(String stream, JsonNode node) {
                    String type = node.path("struct_type").asText(node.path("message_type").asText(""));
                    if (!type.equals("node") || truncated.get()) {
                        return;
                    }
                    String p = node.path("path").asText("");
                    if (p.equals(path)) {
                        found.set(true);
                    } else if (parent(p).equals(path)) {
                        if (entries.size() >= Message.SnapshotLsResult.MAX_ENTRIES) {
                            truncated.set(true);
                            stop.cancel(); // the reply is full: no need to read the rest
                            return;
                        }
                        entries.add(new Message.SnapshotEntry(node.path("name").asText(p), node.path("type").asText("file"),
                                                              p, node.path("size").asLong(0),
                                                              ResticJson.time(node.path("mtime").asText(""))));
                    }
                }

                @Override
                public void text(String stream, String line) {
                    // errors are in the result's tail
                }
            }, stop);
        } catch (IOException e) {
            return error(path, "cannot run restic: " + e.getMessage());
        } finally {
            timer.interrupt();
        }
        if (result.cancelled() && !truncated.get()) {
            return error(path, "listing took longer than " + TIMEOUT.toSeconds() + " s");
        }
        if (result.exitCode() != 0 && !truncated.get()) {
            String why = ExitCodes.classify(result).error().orElse("restic ls failed");
            return error(path, restic.redactor().apply(why));
        }
        if (!found.get() && entries.isEmpty()) {
            return error(path, "no such path in snapshot " + snapshot + ": " + path);
        }
        // directories first, then by name: what a file picker shows
        entries.sort(Comparator.comparing((Message.SnapshotEntry e) -> !e.type().equals("dir"))
                             .thenComparing(Message.SnapshotEntry::name));
        return new Message.SnapshotLsResult(path, entries, null, truncated.get());
    }

    /**
     * The total size of {@code path} in a snapshot: a file's own size, or the sum of every file below a directory,
     * by {@code restic ls --json --recursive <snapshot> <path>} (0.14 has the flag too). Shown before a download.
     */
    Message.SnapshotSizeResult size(Message.SnapshotSize request) {
        String path = normalize(request.path());
        if (!path.startsWith("/") || ("/" + path + "/").contains("/../")) {
            return sizeError(request.path(), "path must be absolute, without '..'");
        }
        return inSlot(request.repo(), request.snapshotId(), path, SnapshotBrowser::sizeError,
                      restic -> sum(restic, request.snapshotId(), path));
    }

    private static Message.SnapshotSizeResult sum(Restic restic, String snapshot, String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        long[] totals = {0, 0};
        String[] type = {path.equals("/") ? "dir" : null};
        Cancellation stop = new Cancellation(Duration.ofSeconds(2));
        Thread timer = deadline(stop);
        Restic.Result result;
        try {
            result = restic.run(List.of("ls", "--json", "--recursive", "--", snapshot, path), new Restic.Output() {
                @Override
                public void json(String stream, JsonNode node) {
                    String kind = node.path("struct_type").asText(node.path("message_type").asText(""));
                    if (!kind.equals("node")) {
                        return;
                    }
                    String p = node.path("path").asText("");
                    String t = node.path("type").asText("file");
                    if (p.equals(path)) {
                        type[0] = t;
                    } else if (!p.startsWith(prefix)) {
                        return;
                    }
                    if (t.equals("file")) {
                        totals[0] += Math.max(0, node.path("size").asLong(0));
                        totals[1]++;
                    }
                }

                @Override
                public void text(String stream, String line) {
                    // errors are in the result's tail
                }
            }, stop);
        } catch (IOException e) {
            return sizeError(path, "cannot run restic: " + e.getMessage());
        } finally {
            timer.interrupt();
        }
        if (result.cancelled()) {
            return sizeError(path, "sizing took longer than " + TIMEOUT.toSeconds() + " s");
        }
        if (result.exitCode() != 0) {
            return sizeError(path, restic.redactor().apply(ExitCodes.classify(result).error()
                                                                    .orElse("restic ls failed")));
        }
        if (type[0] == null) {
            return sizeError(path, "no such path in snapshot " + snapshot + ": " + path);
        }
        return new Message.SnapshotSizeResult(path, type[0], totals[0], totals[1], null);
    }

    private static Message.SnapshotSizeResult sizeError(String path, String message) {
        return new Message.SnapshotSizeResult(path.isBlank() ? "/" : path, "", 0, 0, message);
    }

    static String normalize(String path) {
        String p = path.strip().replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    static String parent(String p) {
        int i = p.lastIndexOf('/');
        return i <= 0 ? "/" : p.substring(0, i);
    }

    private static Message.SnapshotLsResult error(String path, String message) {
        return new Message.SnapshotLsResult(path.isBlank() ? "/" : path, List.of(), message, false);
    }
}
