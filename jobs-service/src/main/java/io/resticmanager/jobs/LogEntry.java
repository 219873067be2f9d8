package io.resticmanager.jobs;

/** One stored job event as {@code /logs} and the stream show it; {@code stream} is stdout, stderr, event or progress. */
record LogEntry(long seq, String ts, String stream, String line) {
    static final String STDOUT = "stdout";
    static final String STDERR = "stderr";
    static final String EVENT = "event";
    static final String PROGRESS = "progress";
}
