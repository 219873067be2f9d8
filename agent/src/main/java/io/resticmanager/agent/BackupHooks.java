package io.resticmanager.agent;

import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.JobStatus;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A backup's pre/post hooks around restic. The pre-hook must succeed for restic to run at all (a database dump that
 * failed must not be backed up as if it were fresh). The post-hook always runs afterwards — also after a failed
 * pre-hook or a failed or cancelled backup — and sees the status the job ends with; when it fails, a success becomes
 * a success with warnings, and a failure stays the failure it was.
 */
final class BackupHooks {
    private final Hooks hooks;
    private final HookRunner runner;
    /** The running post-hook's own stop: the job's cancellation has usually fired before the post-hook starts. */
    private volatile Cancellation post;

    BackupHooks(Hooks hooks, HookRunner runner) {
        this.hooks = hooks;
        this.runner = runner;
    }

    /** Runs the pre-hook, then {@code backup} if it succeeded, then the post-hook; returns the job's outcome. */
    Outcome around(Supplier<Outcome> backup, JobSink sink, Cancellation cancel) {
        Outcome outcome = pre(sink, cancel).orElseGet(backup);
        return hooks.post() == null ? outcome : post(outcome, sink);
    }

    /** The job is being cancelled: stops a running post-hook (one that starts later still runs). */
    void cancel() {
        Cancellation c = post;
        if (c != null) {
            c.cancel();
        }
    }

    /** Empty when the backup may run; else the job's outcome without it (restic never ran: exit -1). */
    private Optional<Outcome> pre(JobSink sink, Cancellation cancel) {
        if (hooks.pre() == null) {
            return Optional.empty();
        }
        if (cancel.requested()) {
            return Optional.of(cancelled("the job was cancelled before the pre-hook ran"));
        }
        HookRunner.Result result = runner.run(HookRunner.Phase.PRE, null, sink, cancel);
        if (result.ok()) {
            return Optional.empty();
        }
        sink.log("event", "the backup does not run: " + result.text());
        return Optional.of(result.ending() == HookRunner.Result.Ending.CANCELLED ? cancelled(result.text())
                                   : Outcome.failed(result.text()));
    }

    private Outcome post(Outcome outcome, JobSink sink) {
        Cancellation own = new Cancellation();
        post = own;
        HookRunner.Result result;
        try {
            result = runner.run(HookRunner.Phase.POST, outcome.status(), sink, own);
        } finally {
            post = null;
        }
        if (result.ok()) {
            return outcome;
        }
        sink.log("event", "warning: " + result.text());
        return switch (outcome.status()) {
            case SUCCEEDED -> new Outcome(JobStatus.SUCCEEDED_WITH_WARNINGS, outcome.exitCode(), outcome.summary(),
                                          Optional.of(result.text()), outcome.snapshots());
            case SUCCEEDED_WITH_WARNINGS -> new Outcome(outcome.status(), outcome.exitCode(), outcome.summary(),
                                                        Optional.of(outcome.error().map(e -> e + "; ").orElse("")
                                                                            + result.text()), outcome.snapshots());
            default -> outcome;
        };
    }

    private static Outcome cancelled(String why) {
        return new Outcome(JobStatus.CANCELLED, -1, Map.of(), Optional.of(why), Optional.empty());
    }
}
