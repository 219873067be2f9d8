package io.resticmanager.agent;

/** Where a runner reports while restic runs; the job turns these into numbered, spooled events. */
interface JobSink {
    /** restic's latest progress; the job forwards at most about one per second. */
    void progress(Progress progress);

    /** One output line; {@code stream} is stdout, stderr or event (the agent's own remarks). */
    void log(String stream, String line);

    /** A restic status, normalised. */
    record Progress(double percent, long filesDone, long totalFiles, long bytesDone, long totalBytes, Long etaS,
                    String currentFile) {
    }
}
