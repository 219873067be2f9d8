package io.resticmanager.hub;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads from snapshots in flight: stream id → the chunks the agent sent that the HTTP side has not written yet.
 * The agent may have at most {@code window} chunks unacknowledged and the hub acknowledges a chunk only after writing
 * it out, so a stream never holds more than {@code window × MAX_CHUNK_BYTES} here, whatever the speeds of agent and
 * browser. An agent that sends more than its window (or out of order) is cut off: its frames are never queued past the
 * bound. {@link #buffered()} is the total of bytes held for all streams, {@link #bufferedHighWater()} its peak.
 * Concurrency is bounded per host and overall.
 */
final class DumpStreams {
    private static final System.Logger LOG = System.getLogger(DumpStreams.class.getName());

    /** What the HTTP side takes from a stream: a chunk, the end, or the agent gone. */
    sealed interface Event permits Chunk, End, Gone {
    }

    record Chunk(long seq, byte[] data) implements Event {
    }

    record End(Message.DumpEnd end) implements Event {
    }

    record Gone(String why) implements Event {
    }

    /** One download: its agent connection and its bounded queue. */
    final class Stream {
        private final String id = UUID.randomUUID().toString();
        private final AgentConnection conn;
        private final int window;
        private final ArrayDeque<Event> queue = new ArrayDeque<>();
        private long lastSeq;
        private int queuedChunks;
        private boolean over;
        private boolean agentEnded;

        private Stream(AgentConnection conn, int window) {
            this.conn = conn;
            this.window = window;
        }

        String id() {
            return id;
        }

        AgentConnection conn() {
            return conn;
        }

        int window() {
            return window;
        }

        /** Never blocks (it runs on the agent socket's reader); false when the agent broke the window or order. */
        private synchronized boolean offer(Message.DumpChunk chunk) {
            if (over) {
                return true; // ended already: late chunks are dropped
            }
            if (chunk.seq() != lastSeq + 1 || queuedChunks >= window) {
                fail("the agent broke the download protocol (chunk " + chunk.seq() + " after " + lastSeq + ", "
                             + queuedChunks + " of " + window + " queued)");
                return false;
            }
            lastSeq = chunk.seq();
            queuedChunks++;
            add(chunk.data().length);
            queue.add(new Chunk(chunk.seq(), chunk.data()));
            notifyAll();
            return true;
        }

        private synchronized void end(Event last) {
            agentEnded |= last instanceof End;
            if (!over) {
                over = true;
                queue.add(last);
                notifyAll();
            }
        }

        private synchronized void fail(String why) {
            end(new Gone(why));
        }

        /** The next event, or empty when none came within {@code timeout}. */
        synchronized Optional<Event> take(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (queue.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                wait(Math.max(1, left / 1_000_000));
            }
            Event e = queue.poll();
            if (e instanceof Chunk) {
                queuedChunks--;
            }
            return Optional.of(e);
        }

        /** The HTTP side wrote this chunk out: its bytes leave the hub's account and the agent may send one more. */
        void written(Chunk chunk) {
            add(-chunk.data().length);
            conn.send(Envelope.of(new Message.DumpAck(id, chunk.seq())));
        }

        /** A chunk taken but never written (the client went away): its bytes leave the account, unacknowledged. */
        void dropped(Chunk chunk) {
            add(-chunk.data().length);
        }

        /** Frees what is still queued and, unless the agent ended the dump itself, stops its restic. */
        private void release() {
            boolean ended;
            synchronized (this) {
                ended = agentEnded;
                for (Event e : queue) {
                    if (e instanceof Chunk c) {
                        add(-c.data().length);
                    }
                }
                queue.clear();
                queuedChunks = 0;
                over = true;
            }
            if (!ended) {
                conn.send(Envelope.of(new Message.DumpCancel(id)));
            }
        }
    }

    private final int window;
    private final int perHost;
    private final int total;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();
    private final AtomicLong started = new AtomicLong();

    DumpStreams(int window, int perHost, int total) {
        this.window = window;
        this.perHost = perHost;
        this.total = total;
    }

    /** A new stream to {@code conn}'s agent; 429 when the host or the hub runs as many downloads as allowed. */
    synchronized Stream open(AgentConnection conn) {
        if (streams.size() >= total) {
            throw new Problem(429, "Too Many Requests", "the server runs " + total + " downloads already; try again"
                    + " when one finished");
        }
        long mine = streams.values().stream().filter(s -> s.conn.hostId().equals(conn.hostId())).count();
        if (mine >= perHost) {
            throw new Problem(429, "Too Many Requests", "host " + conn.hostId() + " sends " + perHost
                    + " downloads already; try again when one finished");
        }
        Stream s = new Stream(conn, window);
        streams.put(s.id, s);
        started.incrementAndGet();
        return s;
    }

    /** The HTTP side is done with the stream, however it ended. */
    void close(Stream s) {
        s.release();
        streams.remove(s.id);
    }

    /** A chunk from {@code conn}; a chunk of an unknown stream (ended, cancelled) is answered with a cancel. */
    void chunk(AgentConnection conn, Message.DumpChunk chunk) {
        Stream s = streams.get(chunk.streamId());
        if (s == null || !s.conn.hostId().equals(conn.hostId())) {
            conn.send(Envelope.of(new Message.DumpCancel(chunk.streamId())));
            return;
        }
        if (!s.offer(chunk)) {
            LOG.log(Level.WARNING, "host " + conn.hostId() + " overran download " + s.id + "; cancelled");
            conn.send(Envelope.of(new Message.DumpCancel(s.id)));
        }
    }

    void end(AgentConnection conn, Message.DumpEnd end) {
        Stream s = streams.get(end.streamId());
        if (s != null && s.conn.hostId().equals(conn.hostId())) {
            s.end(new End(end));
        }
    }

    /** The agent's socket closed: its downloads end now, visibly incomplete. */
    void closed(AgentConnection conn) {
        streams.values().stream().filter(s -> s.conn == conn)
                .forEach(s -> s.fail("host " + conn.hostId() + " disconnected during the download"));
    }

    private void add(long delta) {
        long now = buffered.addAndGet(delta);
        highWater.accumulateAndGet(now, Math::max);
    }

    int window() {
        return window;
    }

    int active() {
        return streams.size();
    }

    long buffered() {
        return buffered.get();
    }

    long bufferedHighWater() {
        return highWater.get();
    }

    long started() {
        return started.get();
    }
}
