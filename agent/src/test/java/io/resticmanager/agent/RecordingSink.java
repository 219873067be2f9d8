package io.resticmanager.agent;

import java.util.ArrayList;
import java.util.List;

/** Collects what a runner reports. */
final class RecordingSink implements JobSink {
    final List<Progress> progress = new ArrayList<>();
    final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void progress(Progress p) {
        progress.add(p);
    }

    @Override
    public synchronized void log(String stream, String line) {
        lines.add(stream + ": " + line);
    }

    synchronized String text() {
        return String.join("\n", lines);
    }
}
