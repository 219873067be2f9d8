package io.resticmanager.agent;

import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class MessageQueueTest {
    private static Message.SnapshotsReport report(String repo, String id, int part, int parts) {
        return new Message.SnapshotsReport(null, repo, id, part, parts, List.of());
    }

    @Test
    void aUnitCutOffByADropIsSentAgainWholeOnTheNextConnection() {
        MessageQueue queue = new MessageQueue(10);
        queue.add(List.of(report("r1", "a", 1, 2), report("r1", "a", 2, 2)));
        List<Message> first = new ArrayList<>();
        // the first connection takes part 1, then drops
        assertThat(queue.drain("conn-1", m -> first.size() < 1 && first.add(m)), is(false));
        List<Message> second = new ArrayList<>();
        assertThat(queue.drain("conn-2", second::add), is(true));
        assertThat(second, is(List.of(report("r1", "a", 1, 2), report("r1", "a", 2, 2))));
        // sent whole once: nothing left
        List<Message> third = new ArrayList<>();
        assertThat(queue.drain("conn-2", third::add), is(true));
        assertThat(third.isEmpty(), is(true));
    }

    @Test
    void aNewerSnapshotListReplacesAQueuedOneOfTheSameRepositoryAndTheQueueIsBounded() {
        MessageQueue queue = new MessageQueue(2);
        queue.add(List.of(report("r1", "old", 1, 1)));
        queue.add(List.of(report("r2", "other", 1, 1)));
        queue.add(List.of(report("r1", "new", 1, 1)));
        List<Message> sent = new ArrayList<>();
        queue.drain("c", sent::add);
        assertThat(sent, is(List.of(report("r2", "other", 1, 1), report("r1", "new", 1, 1))));

        queue.add(List.of(new Message.Heartbeat(List.of("j1"))));
        queue.add(List.of(new Message.Heartbeat(List.of("j2"))));
        queue.add(List.of(new Message.Heartbeat(List.of("j3"))));
        List<Message> bounded = new ArrayList<>();
        queue.drain("c", bounded::add);
        assertThat(bounded, is(List.of(new Message.Heartbeat(List.of("j2")), new Message.Heartbeat(List.of("j3")))));
    }
}
