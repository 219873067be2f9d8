package io.resticmanager.agent;

import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.JobStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** One hook as a real process: argv, environment, output bounds, timeout with its process tree, start failure. */
class HookRunnerTest {
    private static final HookRunner.JobFacts FACTS = new HookRunner.JobFacts("job-1", "host-a", "repo-1");

    private static HookRunner.Result pre(String hook, int timeoutS, RecordingSink sink) {
        return new HookRunner(new Hooks(hook, null, null, timeoutS), FACTS)
                .run(HookRunner.Phase.PRE, null, sink, new Cancellation());
    }

    @Test
    void theEnvironmentIsTheAgentsWithoutAnyCredentialPlusTheJobsFacts() {
        Map<String, String> inherited = Map.ofEntries(
                Map.entry("PATH", "/usr/bin:/bin"), Map.entry("HOME", "/root"), Map.entry("LANG", "C.UTF-8"),
                Map.entry("RESTIC_PASSWORD", "p"), Map.entry("RESTIC_REPOSITORY", "s3:host/bucket"),
                Map.entry("RESTIC_PASSWORD_FILE", "/etc/pw"), Map.entry("AWS_SECRET_ACCESS_KEY", "k"),
                Map.entry("AWS_ACCESS_KEY_ID", "id"), Map.entry("B2_ACCOUNT_KEY", "k"), Map.entry("PGPASSWORD", "p"),
                Map.entry("MYSQL_PWD", "p"), Map.entry("GITHUB_TOKEN", "t"), Map.entry("RCLONE_CONFIG_PASS", "p"),
                Map.entry("AZURE_ACCOUNT_SAS", "s"), Map.entry("RM_ENROLL_TOKEN", "t"),
                Map.entry("RM_JOB_STATUS", "forged"));
        Map<String, String> env = HookRunner.environment(inherited, FACTS, HookRunner.Phase.PRE, null);
        assertThat(env.keySet(), containsInAnyOrder("PATH", "HOME", "LANG", "RM_JOB_ID", "RM_HOST",
                                                    "RM_REPOSITORY_NAME", "RM_HOOK"));
        assertThat(env.get("RM_HOOK"), is("pre"));
        assertThat(env.get("RM_REPOSITORY_NAME"), is("repo-1"));

        Map<String, String> post = HookRunner.environment(inherited, FACTS, HookRunner.Phase.POST, JobStatus.FAILED);
        assertThat(post.get("RM_HOOK"), is("post"));
        assertThat(post.get("RM_JOB_STATUS"), is("failed"));
    }

    @Test
    void aRealHookRunsInSlashSeesItsFactsAndNoSecretOfTheAgentsEnvironment() {
        // surefire gives this JVM both (pom.xml): without them this test would prove nothing
        assertThat(System.getenv("RESTIC_PASSWORD"), is("agent-env-restic-password"));
        assertThat(System.getenv("PGPASSWORD"), is("agent-env-db-password"));
        RecordingSink sink = new RecordingSink();
        HookRunner.Result r = pre("echo \"id=$RM_JOB_ID host=$RM_HOST repo=$RM_REPOSITORY_NAME hook=$RM_HOOK "
                + "status=[$RM_JOB_STATUS] cwd=$(pwd)\"; echo \"pw=[$RESTIC_PASSWORD] db=[$PGPASSWORD]\"; "
                + "echo 'to stderr' >&2; env", 10, sink);
        assertThat(r.ok(), is(true));
        assertThat(sink.lines, hasItems("stdout: [pre] id=job-1 host=host-a repo=repo-1 hook=pre status=[] cwd=/",
                                        "stdout: [pre] pw=[] db=[]", "stderr: [pre] to stderr",
                                        "event: pre-hook succeeded"));
        assertThat(sink.text(), not(containsString("agent-env-")));
        assertThat(sink.text(), not(containsString("RESTIC_")));
    }

    @Test
    void theHookTextIsOneArgumentOfTheShellAndNeverReparsed() {
        RecordingSink sink = new RecordingSink();
        // a shell that only prints its arguments: the hook text arrives as exactly one, unchanged
        HookRunner.Result r = new HookRunner(new Hooks("a 'b' $c; d", null, List.of("/usr/bin/printf", "[%s]\\n"), 5),
                                             FACTS).run(HookRunner.Phase.PRE, null, sink, new Cancellation());
        assertThat(r.ok(), is(true));
        assertThat(sink.lines, hasItem("stdout: [pre] [a 'b' $c; d]"));
    }

    @Test
    void outputIsBoundedWithOneTruncationLineAndTheHookStillFinishes() {
        RecordingSink sink = new RecordingSink();
        HookRunner.Result r = pre("seq 1 25000", 30, sink);
        assertThat(r.ok(), is(true));
        List<String> out = sink.lines.stream().filter(l -> l.startsWith("stdout: [pre] ")).toList();
        assertThat(out.size(), is(HookOutput.MAX_LINES));
        assertThat(out.getLast(), is("stdout: [pre] " + HookOutput.MAX_LINES));
        assertThat(sink.lines.stream().filter(l -> l.startsWith("event: [pre] … output truncated")).count(), is(1L));

        RecordingSink wide = new RecordingSink();
        // 3 MiB in 3072 lines of 1 KiB: cut at 1 MiB
        pre("head -c 3145728 /dev/zero | tr '\\0' x | fold -w 1024", 30, wide);
        long kept = wide.lines.stream().filter(l -> l.startsWith("stdout: [pre] x")).count();
        assertThat(kept, is(1024L));
        assertThat(wide.text(), containsString("output truncated"));
    }

    @Test
    void aHookPastItsTimeoutIsStoppedWithEverythingItStartedEvenWhenItIgnoresSigterm() throws Exception {
        RecordingSink sink = new RecordingSink();
        // the shell and its child ignore SIGTERM: only the SIGKILL after the grace period ends them
        HookRunner runner = new HookRunner(new Hooks("trap '' TERM; sleep 600 & echo child=$!; wait", null, null, 1),
                                           FACTS, Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        HookRunner.Result r = runner.run(HookRunner.Phase.PRE, null, sink, new Cancellation());
        assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis(), lessThan(5_000L));
        assertThat(r.ending(), is(HookRunner.Result.Ending.TIMED_OUT));
        assertThat(r.text(), is("pre-hook timed out after 1 s"));
        awaitGone(childPid(sink));
    }

    @Test
    void aShellThatCannotStartIsSaidSo() {
        RecordingSink sink = new RecordingSink();
        HookRunner.Result r = new HookRunner(new Hooks(null, "true", List.of("/nonexistent/sh", "-c"), 5), FACTS)
                .run(HookRunner.Phase.POST, JobStatus.SUCCEEDED, sink, new Cancellation());
        assertThat(r.ending(), is(HookRunner.Result.Ending.NOT_STARTED));
        assertThat(r.text(), startsWith("post-hook could not start: "));
        assertThat(r.text(), containsString("/nonexistent/sh"));
    }

    @Test
    void aBackgroundProcessHoldingTheOutputDoesNotHoldTheJob() {
        RecordingSink sink = new RecordingSink();
        long t0 = System.nanoTime();
        HookRunner.Result r = pre("sleep 8 & echo started", 30, sink);
        assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis(), lessThan(6_000L));
        assertThat(r.ok(), is(true));
        assertThat(sink.text(), containsString("[pre] started"));
        // whether the log also says a background process still holds the output depends on a race inside the JDK
        // (on the hook's exit, Process may drain and close its end of the pipe before our reader blocks on it), so
        // what is asserted is what the user cares about: the job went on at once with the hook's output kept
    }

    static long childPid(RecordingSink sink) {
        Matcher m = Pattern.compile("\\[(?:pre|post)] child=(\\d+)").matcher(sink.text());
        if (!m.find()) {
            throw new AssertionError("no child pid in " + sink.text());
        }
        return Long.parseLong(m.group(1));
    }

    /** Fails unless the process is gone within a second; a zombie (killed, not yet reaped) counts as gone. */
    static void awaitGone(long pid) {
        await("process " + pid + " gone").atMost(Duration.ofSeconds(1)).until(() -> !running(pid));
    }

    private static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
