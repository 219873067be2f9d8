package io.resticmanager.agent;

import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoPolicy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Answers {@code snapshot.dump} (download from a snapshot): runs {@code restic dump [--archive tar|zip] -- <snapshot>
 * <path>} (never through a shell; the password only in restic's environment) and sends its stdout as
 * {@code dump.chunk} frames, at most {@code window} of them unacknowledged: when the hub (or the browser behind it)
 * reads slowly, this thread waits, restic blocks on its full pipe, and nothing piles up anywhere. Ends with one
 * {@code dump.end}. {@code dump.cancel}, a lost connection or an ack that never comes kill restic.
 */
final class SnapshotDumper {
    private static final Logger LOG = Logger.getLogger(SnapshotDumper.class.getName());
    /** Most dumps one agent runs at once (the hub limits per host too; this holds if the hub does not). */
    static final int PARALLEL = 2;
    /** A hub that acknowledges nothing for this long is gone or stuck: the dump stops. */
    static final Duration ACK_TIMEOUT = Duration.ofMinutes(5);

    private final Jobs.ResticSetup setup;
    private final Semaphore slots = new Semaphore(PARALLEL);
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Duration ackTimeout;

    SnapshotDumper(Jobs.ResticSetup setup) {
        this(setup, ACK_TIMEOUT);
    }

    SnapshotDumper(Jobs.ResticSetup setup, Duration ackTimeout) {
        this.setup = setup;
        this.ackTimeout = ackTimeout;
    }

    /** One running dump: how far the hub acknowledged, and how to stop it. */
    private static final class Stream {
        final Cancellation cancel = new Cancellation(Duration.ofSeconds(2));
        private long acked;
        private volatile boolean stopped;

        synchronized void ack(long upTo) {
            acked = Math.max(acked, upTo);
            notifyAll();
        }

        synchronized void stop() {
            stopped = true;
            notifyAll();
            cancel.cancel();
        }

        /** Waits until chunk {@code seq} may be sent; false when stopped, the link died or the hub went quiet. */
        synchronized boolean mayShip(long seq, int window, HubConnection.Link link, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seq - acked > window) {
                if (stopped || !link.open()) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.min(1000, Math.max(1, left / 1_000_000)));
            }
            return !stopped;
        }
    }

    /** Runs the dump on its own thread: the socket keeps reading (acks arrive while chunks go out). */
    void start(Message.SnapshotDump request, Envelope env, HubConnection.Link link) {
        Thread.ofVirtual().name("snapshot-dump-" + request.streamId()).start(() -> run(request, link));
    }

    void ack(Message.DumpAck ack) {
        Stream s = streams.get(ack.streamId());
        if (s != null) {
            s.ack(ack.upToSeq());
        }
    }

    /** Stops a dump; false when none runs under that id (it ended already). */
    boolean cancel(String streamId) {
        Stream s = streams.get(streamId);
        if (s == null) {
            return false;
        }
        s.stop();
        return true;
    }

    int running() {
        return streams.size();
    }

    private void run(Message.SnapshotDump request, HubConnection.Link link) {
        String id = request.streamId();
        String refusal = refusal(request);
        if (refusal != null) {
            link.send(Envelope.of(new Message.DumpEnd(id, 0, 0, refusal)));
            return;
        }
        if (!slots.tryAcquire()) {
            link.send(Envelope.of(new Message.DumpEnd(id, 0, 0, "too many downloads from this host at once ("
                    + PARALLEL + "); try again")));
            return;
        }
        Stream stream = new Stream();
        if (streams.putIfAbsent(id, stream) != null) {
            slots.release();
            link.send(Envelope.of(new Message.DumpEnd(id, 0, 0, "stream " + id + " is already running")));
            return;
        }
        long[] sent = {0, 0};
        String error;
        try {
            Restic restic = new Restic(setup.binary().get(), setup.version().get(), request.repo().url(),
                                       request.repo().password(), request.repo().env());
            List<String> args = new ArrayList<>(List.of("dump"));
            if (request.format() != Message.DumpFormat.FILE) {
                args.addAll(List.of("--archive", request.format().wire()));
            }
            args.addAll(List.of("--", request.snapshotId(), request.path()));
            LOG.info("download " + id + ": " + restic.commandLine(args));
            Restic.Result result = restic.stream(args, Message.SnapshotDump.MAX_CHUNK_BYTES, (buffer, n) -> {
                long seq = sent[0] + 1;
                try {
                    if (!stream.mayShip(seq, request.window(), link, ackTimeout)) {
                        throw new IOException("stopped");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (!link.send(Envelope.of(new Message.DumpChunk(id, seq, Arrays.copyOf(buffer, n))))) {
                    throw new IOException("connection lost");
                }
                sent[0] = seq;
                sent[1] += n;
            }, stream.cancel);
            if (result.cancelled()) {
                error = stream.stopped ? "cancelled" : "stopped: the hub stopped reading or the connection was lost";
            } else if (result.exitCode() != 0) {
                error = restic.redactor().apply(ExitCodes.classify(result).error().orElse("restic dump failed"));
            } else {
                error = null;
            }
        } catch (RepoPolicy.Violation e) {
            error = "repository refused by this agent: " + e.getMessage();
        } catch (IOException e) {
            error = "cannot run restic: " + e.getMessage();
        } finally {
            streams.remove(id);
            slots.release();
        }
        LOG.info("download " + id + " ended: " + sent[1] + " bytes in " + sent[0] + " chunks"
                         + (error == null ? "" : " (" + error + ")"));
        link.send(Envelope.of(new Message.DumpEnd(id, sent[0], sent[1], error)));
    }

    /** Why this request is not run at all, or null. Paths are checked like restore paths. */
    private String refusal(Message.SnapshotDump request) {
        if (!Checks.snapshotId(request.snapshotId())) {
            return "snapshot_id must be 8 to 64 lowercase hex characters";
        }
        String p = request.path();
        if (!p.startsWith("/") || p.contains("\0") || p.contains("\n") || ("/" + p + "/").contains("/../")) {
            return "path must be absolute, without '..', NUL or newlines";
        }
        if (setup.binary().isEmpty() || setup.version().isEmpty()) {
            return setup.problem().orElse("restic is not available");
        }
        return null;
    }
}
