package io.resticmanager.agent;

import io.resticmanager.proto.JobStatus;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * restic's exit codes are API: 0 ok, 1 fatal, 3 some source files unreadable (snapshot still made),
 * 10 repository missing, 11 lock failed, 12 wrong password (10–12 since 0.17), 130 interrupted.
 * Older restic says the same with exit 1 and a message, which is recognised here too.
 */
final class ExitCodes {
    private static final int TAIL_LINES = 15;

    private ExitCodes() {
    }

    static Outcome classify(Restic.Result result) {
        int exit = result.exitCode();
        String tail = result.tail().last(TAIL_LINES);
        // a restic that finished before the signal reached it did its work: report what it did
        if (result.cancelled() && exit != 0 && exit != 3) {
            return outcome(JobStatus.CANCELLED, exit, "cancelled on request (restic exit " + exit + ")");
        }
        return switch (exit) {
            case 0 -> new Outcome(JobStatus.SUCCEEDED, 0, Map.of(), Optional.empty(), Optional.empty());
            case 3 -> outcome(JobStatus.SUCCEEDED_WITH_WARNINGS, 3,
                              "snapshot created, but some source files could not be read (restic exit 3)"
                                      + detail(tail));
            case 10 -> outcome(JobStatus.FAILED, 10, "the repository does not exist (restic exit 10)" + detail(tail));
            case 11 -> outcome(JobStatus.FAILED, 11, "the repository is locked by another process (restic exit 11)"
                    + detail(tail));
            case 12 -> outcome(JobStatus.FAILED, 12, "wrong repository password (restic exit 12)");
            case 130 -> outcome(JobStatus.FAILED, 130, "restic was interrupted (exit 130)" + detail(tail));
            case 1 -> outcome(JobStatus.FAILED, 1, fatal(tail));
            default -> outcome(JobStatus.FAILED, exit, "restic failed with unexpected exit code " + exit + detail(tail));
        };
    }

    /** Exit 1: name the cause when the text gives it away (restic &lt; 0.17 has no specific codes). */
    private static String fatal(String tail) {
        String t = tail.toLowerCase(Locale.ROOT);
        if (t.contains("wrong password") || t.contains("no key found")) {
            return "wrong repository password (restic exit 1)";
        }
        if (t.contains("is there a repository") || t.contains("repository does not exist")
                || t.contains("unable to open config file") && t.contains("does not exist")
                || t.contains("unable to open config file") && t.contains("no such file")) {
            return "the repository does not exist or is not initialized (restic exit 1)" + detail(tail);
        }
        if (t.contains("unable to create lock") || t.contains("repository is already locked")) {
            return "the repository is locked by another process (restic exit 1)" + detail(tail);
        }
        return "restic failed (exit 1)" + detail(tail);
    }

    private static String detail(String tail) {
        return tail.isBlank() ? "" : ": " + tail;
    }

    private static Outcome outcome(JobStatus status, int exit, String error) {
        return new Outcome(status, exit, Map.of(), Optional.of(error), Optional.empty());
    }
}
