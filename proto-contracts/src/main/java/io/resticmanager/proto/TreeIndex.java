package io.resticmanager.proto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The content id of a directory's listing in the tree index: SHA-256 over a canonical form of its entries (sorted by
 * name; each entry's name, type, size, mtime and subtree id). restic 0.14's {@code ls} gives no tree ids, so the agent
 * computes these bottom-up; a directory whose entries did not change keeps its id, so consecutive snapshots share it.
 * The server recomputes the id of every tree it receives, so an agent cannot file a listing under another's id.
 */
public final class TreeIndex {
    /** Longest entry name (Linux allows 255 bytes). */
    public static final int MAX_NAME_CHARS = 255;
    private static final Comparator<Message.IndexNode> BY_NAME = Comparator.comparing(Message.IndexNode::name);

    private TreeIndex() {
    }

    /** The entries in the order ids are computed and listings shown: by name. */
    public static List<Message.IndexNode> sorted(List<Message.IndexNode> nodes) {
        List<Message.IndexNode> copy = new ArrayList<>(nodes);
        copy.sort(BY_NAME);
        return copy;
    }

    /** The content id (64 lowercase hex) of a directory with these entries (any order; names are unique). */
    public static String contentId(List<Message.IndexNode> nodes) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder line = new StringBuilder(128);
        for (Message.IndexNode n : sorted(nodes)) {
            line.setLength(0);
            // length-prefixed name: no name can fake an entry boundary
            line.append(n.name().length()).append(':').append(n.name()).append('\0').append(n.type()).append('\0')
                    .append(n.size()).append('\0').append(n.mtimeMs() == null ? "-" : n.mtimeMs().toString())
                    .append('\0').append(n.subtree() == null ? "-" : n.subtree()).append('\n');
            sha.update(line.toString().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Whether {@code id} looks like a content id. */
    public static boolean validId(String id) {
        return id != null && id.length() == 64 && id.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    static String requireId(String id, String field) {
        if (!validId(id)) {
            throw new IllegalArgumentException(field + " must be a tree id of 64 lowercase hex characters");
        }
        return id;
    }
}
