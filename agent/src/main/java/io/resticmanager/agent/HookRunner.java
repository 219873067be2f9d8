package io.resticmanager.agent;

import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.JobStatus;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs one backup hook: {@code shell + [hook text]} exactly (no further shell layer), in {@code /}, with the agent's
 * environment minus anything that may be a credential, plus {@code RM_*} facts about the job — never the
 * repository's URL, password or backend variables. Its output goes to the job log ({@link HookOutput}). A hook past
 * its timeout, or one of a cancelled job, is stopped with everything it started ({@link ProcessTree}).
 */
final class HookRunner {
    /** SIGTERM to SIGKILL. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** How long the output is still awaited after the hook ended. */
    static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);
    /** Names that say they hold a secret; RESTIC_* and the agent's own RM_* are dropped as well. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|APIKEY|_KEY|_PASS$|_PWD$|_SAS$");

    enum Phase {
        PRE, POST;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a hook learns about its job. {@code repositoryName}: the repository's id when no name is known. */
    record JobFacts(String jobId, String hostname, String repositoryName) {
    }

    /** How a hook ended; {@code text} says so in the words the job's error and log use. */
    record Result(Ending ending, String text) {
        enum Ending { SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, NOT_STARTED }

        boolean ok() {
            return ending == Ending.SUCCEEDED;
        }
    }

    private final Hooks hooks;
    private final JobFacts facts;
    private final Duration grace;

    HookRunner(Hooks hooks, JobFacts facts) {
        this(hooks, facts, KILL_GRACE);
    }

    HookRunner(Hooks hooks, JobFacts facts, Duration grace) {
        this.hooks = hooks;
        this.facts = facts;
        this.grace = grace;
    }

    /**
     * Runs the {@code phase} hook (blocking). {@code status}: the status the job ends with, for the post-hook (null
     * for the pre-hook). {@code cancel} stops it from another thread.
     */
    Result run(Phase phase, JobStatus status, JobSink sink, Cancellation cancel) {
        String name = phase.wire() + "-hook";
        List<String> argv = new ArrayList<>(hooks.shell());
        argv.add(phase == Phase.PRE ? hooks.pre() : hooks.post());
        ProcessBuilder pb = new ProcessBuilder(argv).directory(new File("/"));
        Map<String, String> env = environment(pb.environment(), facts, phase, status);
        pb.environment().clear();
        pb.environment().putAll(env);
        // the hook's text is not logged: it may hold a database password
        sink.log("event", name + ": running with " + String.join(" ", hooks.shell()) + " (timeout " + hooks.timeoutS()
                + " s)");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return ended(sink, new Result(Result.Ending.NOT_STARTED, name + " could not start: " + e.getMessage()));
        }
        HookOutput output = new HookOutput("[" + phase.wire() + "] ", sink);
        output.read(process);
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the hook reads no input either way
        }
        cancel.attach(() -> ProcessTree.stop(process, grace));
        boolean timedOut;
        try {
            timedOut = !process.waitFor(hooks.timeoutS(), TimeUnit.SECONDS);
            if (timedOut) {
                ProcessTree.stop(process, grace);
            }
        } catch (InterruptedException e) {
            ProcessTree.stop(process, grace);
            Thread.currentThread().interrupt();
            timedOut = false;
        } finally {
            cancel.detach();
        }
        if (!output.awaitEnd(OUTPUT_GRACE)) {
            sink.log("event", name + ": a process it started still holds its output open; not waiting for it");
        }
        int exit = exitCode(process);
        Result result;
        if (timedOut) {
            result = new Result(Result.Ending.TIMED_OUT, name + " timed out after " + hooks.timeoutS() + " s");
        } else if (exit == 0) {
            result = new Result(Result.Ending.SUCCEEDED, name + " succeeded");
        } else if (cancel.requested()) {
            result = new Result(Result.Ending.CANCELLED, name + " was stopped: the job was cancelled");
        } else {
            result = new Result(Result.Ending.FAILED, name + " failed: exit " + exit);
        }
        return ended(sink, result);
    }

    private static Result ended(JobSink sink, Result result) {
        sink.log("event", result.text());
        return result;
    }

    private int exitCode(Process process) {
        try {
            // after a SIGKILL the kernel still has to reap it
            return process.waitFor(grace.toMillis() + 1000, TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The hook's environment: ours without any credential, plus the job's facts. */
    static Map<String, String> environment(Map<String, String> inherited, JobFacts facts, Phase phase,
                                           JobStatus status) {
        Map<String, String> env = new HashMap<>();
        inherited.forEach((name, value) -> {
            if (!dropped(name)) {
                env.put(name, value);
            }
        });
        env.put("RM_JOB_ID", facts.jobId());
        env.put("RM_HOST", facts.hostname());
        env.put("RM_REPOSITORY_NAME", facts.repositoryName());
        env.put("RM_HOOK", phase.wire());
        if (phase == Phase.POST) {
            env.put("RM_JOB_STATUS", status.wire());
        }
        return env;
    }

    /** restic's variables (credentials, their files), RM_* (ours alone) and names that say they hold a secret. */
    static boolean dropped(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.startsWith("RESTIC_") || n.startsWith("RM_") || SECRET_NAME.matcher(n).find();
    }
}
