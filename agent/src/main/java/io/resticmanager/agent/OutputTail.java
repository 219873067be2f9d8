package io.resticmanager.agent;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines of restic's plain-text output, bounded by line count and characters, for error reports. */
final class OutputTail {
    static final int MAX_LINES = 500;
    static final int MAX_CHARS = 64 * 1024;

    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private int chars;

    synchronized void add(String line) {
        String l = line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS) : line;
        lines.addLast(l);
        chars += l.length();
        while (lines.size() > MAX_LINES || chars > MAX_CHARS) {
            chars -= lines.removeFirst().length();
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The last {@code n} lines joined, for an error message. */
    synchronized String last(int n) {
        List<String> all = List.copyOf(lines);
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size())).strip();
    }
}
