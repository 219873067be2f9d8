package io.resticmanager.hub;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DumpStreamsTest {
    private static final int CHUNK = Message.SnapshotDump.MAX_CHUNK_BYTES;

    private static Message.DumpChunk chunk(DumpStreams.Stream s, long seq) {
        return new Message.DumpChunk(s.id(), seq, new byte[CHUNK]);
    }

    @Test
    void aStreamNeverHoldsMoreThanItsWindowAndAnAgentThatOverrunsItIsCutOff() throws Exception {
        DumpStreams dumps = new DumpStreams(3, 2, 8);
        AgentConnection conn = new AgentConnection(null, "h1", 0);
        DumpStreams.Stream s = dumps.open(conn);
        for (long seq = 1; seq <= 3; seq++) {
            dumps.chunk(conn, chunk(s, seq));
        }
        assertThat(dumps.buffered(), is(3L * CHUNK));
        // a fourth unacknowledged chunk breaks the window: dropped, and the stream ends broken
        dumps.chunk(conn, chunk(s, 4));
        assertThat(dumps.buffered(), is(3L * CHUNK));
        for (int i = 0; i < 3; i++) {
            DumpStreams.Event e = s.take(Duration.ofSeconds(1)).orElseThrow();
            s.written((DumpStreams.Chunk) e);
        }
        assertThat(s.take(Duration.ofSeconds(1)).orElseThrow(), instanceOf(DumpStreams.Gone.class));
        assertThat(dumps.buffered(), is(0L));
        assertThat(dumps.bufferedHighWater(), lessThanOrEqualTo(3L * CHUNK));
        dumps.close(s);
        assertThat(dumps.active(), is(0));
    }

    @Test
    void writtenChunksMakeRoomAndOutOfOrderChunksAreRefused() throws Exception {
        DumpStreams dumps = new DumpStreams(2, 2, 8);
        AgentConnection conn = new AgentConnection(null, "h1", 0);
        DumpStreams.Stream s = dumps.open(conn);
        long seq = 0;
        for (int round = 0; round < 50; round++) {
            dumps.chunk(conn, chunk(s, ++seq));
            DumpStreams.Chunk c = (DumpStreams.Chunk) s.take(Duration.ofSeconds(1)).orElseThrow();
            s.written(c);
        }
        assertThat(dumps.bufferedHighWater(), lessThanOrEqualTo(2L * CHUNK));
        dumps.chunk(conn, chunk(s, seq + 2));
        assertThat(s.take(Duration.ofSeconds(1)).orElseThrow(), instanceOf(DumpStreams.Gone.class));
        // another host cannot feed this stream
        DumpStreams.Stream t = dumps.open(conn);
        dumps.chunk(new AgentConnection(null, "h2", 0), chunk(t, 1));
        assertThat(t.take(Duration.ofMillis(50)).isEmpty(), is(true));
        dumps.close(s);
        dumps.close(t);
    }

    @Test
    void limitsPerHostAndOverallAnswer429() {
        DumpStreams dumps = new DumpStreams(2, 2, 3);
        AgentConnection h1 = new AgentConnection(null, "h1", 0);
        AgentConnection h2 = new AgentConnection(null, "h2", 0);
        dumps.open(h1);
        dumps.open(h1);
        assertThat(assertThrows(Problem.class, () -> dumps.open(h1)).status(), is(429));
        dumps.open(h2);
        assertThat(assertThrows(Problem.class, () -> dumps.open(h2)).status(), is(429));
    }

    @Test
    void anAgentDisconnectEndsItsStreamsBroken() throws Exception {
        DumpStreams dumps = new DumpStreams(2, 2, 8);
        AgentConnection conn = new AgentConnection(null, "h1", 0);
        DumpStreams.Stream s = dumps.open(conn);
        dumps.chunk(conn, chunk(s, 1));
        dumps.closed(conn);
        assertThat(s.take(Duration.ofSeconds(1)).orElseThrow(), instanceOf(DumpStreams.Chunk.class));
        assertThat(s.take(Duration.ofSeconds(1)).orElseThrow(), instanceOf(DumpStreams.Gone.class));
    }
}
