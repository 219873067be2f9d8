package io.resticmanager.proto;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TreeIndexTest {
    private static final String SUB = "a".repeat(64);

    @Test
    void theIdDependsOnContentNotOrder() {
        var a = new Message.IndexNode("a.txt", "file", 3, 1000L, null);
        var b = new Message.IndexNode("b", "dir", 0, 2000L, SUB);
        assertThat(TreeIndex.contentId(List.of(a, b)), is(TreeIndex.contentId(List.of(b, a))));
        assertThat(TreeIndex.contentId(List.of(a, b)),
                   not(TreeIndex.contentId(List.of(new Message.IndexNode("a.txt", "file", 4, 1000L, null), b))));
        assertThat(TreeIndex.validId(TreeIndex.contentId(List.of())), is(true));
    }

    @Test
    void malformedNodesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexNode("a/b", "file", 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexNode("..", "file", 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexNode("d", "dir", 0, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexNode("f", "file", 0, null, SUB));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexNode("f", "file", -1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexNode("x".repeat(256), "file", 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexHave(List.of("XYZ")));
        assertThrows(IllegalArgumentException.class, () -> new Message.IndexTree(SUB, 2, 1, List.of()));
    }
}
