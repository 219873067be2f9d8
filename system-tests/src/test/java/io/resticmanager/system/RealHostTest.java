package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The agent on a real systemd host: a Debian 12 booted in systemd-nspawn (systemd as PID 1, the real
 * {@code systemctl}, journald, the sandboxed unit as install.sh writes it). The dashboard's install command runs
 * there as printed ({@code curl … | sudo sh …}); then the installed service backs up, restores to the original
 * location, runs a backup hook, survives {@code systemctl restart} and a reboot of the machine, and the uninstall
 * leaves nothing behind. Debian 12 packages no Java 21+ and the machine has no Java at all: the agent runs on the
 * runtime its bundle brings. Skipped (with the reason) where no container can be
 * booted: not root, systemd-nspawn or debootstrap missing, no cached root file system and no mirror to build one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealHostTest {
    private static final String PASSWORD = "real-host-repo-password-51c";
    private static final String SERVICE = "restic-manager-agent";
    private static final String REPO = "/var/lib/rm-test-repo";
    private static final String DATA = "/srv/data";
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final long T0 = System.nanoTime();

    private static Stack stack;
    private static Api admin;
    private static Path runDir;
    private static NspawnHost machine;
    private static String hostId;
    private static String snapshotId;
    private static String setupLog;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> why = NspawnHost.unavailable();
        if (why.isPresent()) {
            System.out.println("[real-host] skipped: " + why.get());
            Assumptions.abort(why.get());
        }
        Path setup = Files.createDirectories(Stack.ROOT.resolve("system-tests/target/system-logs/real-host"))
                .resolve("machine-setup.log");
        setupLog = setup.toString();
        long t = System.nanoTime();
        Path cached = NspawnHost.rootfs(setup);
        lap("cached root file system ready", t);

        t = System.nanoTime();
        // offline after 5 s of silence: a stopped agent's socket end does not reach the hub through the gateway
        // (it stays "online" until offline-after, 90 s by default), so the reboot would wait that long
        stack = Stack.start("real-host", "rm.hub.heartbeat-interval-s=1", "rm.hub.offline-after-s=5");
        admin = Api.setupAdmin(stack, "admin", "real-host-admin-password");
        lap("stack started", t);

        t = System.nanoTime();
        String name = "rm-real-host-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        runDir = Files.createTempDirectory(Path.of("/var/tmp"), "rm-real-host-");
        Path rootfs = runDir.resolve("rootfs");
        NspawnHost.copy(cached, rootfs, name, setup);
        lap("root file system copied to " + rootfs, t);

        t = System.nanoTime();
        try {
            machine = NspawnHost.boot(rootfs, name, stack.logDir().resolve("machine-console.log"), BOOT);
        } catch (NspawnHost.BootFailed e) {
            System.out.println("[real-host] skipped: systemd-nspawn cannot boot a container here: " + e.getMessage());
            Assumptions.abort("systemd-nspawn cannot boot a container on this machine: " + e.getMessage());
        }
        lap("machine " + name + " booted", t);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (machine != null) {
                if (machine.running()) {
                    Files.writeString(stack.logDir().resolve("machine-journal.log"),
                                      machine.sh("journalctl --no-pager -o short-precise").output());
                }
                machine.close();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
            if (runDir != null) {
                NspawnHost.remove(runDir);
            }
            lap("whole test class", T0);
        }
    }

    @Test
    @Order(1)
    void theDashboardsInstallCommandInstallsTheAgentAsAnEnabledSystemdService() {
        long t = System.nanoTime();
        String command = admin.post("/api/enrollment-tokens", Map.of("name", machine.name())).expect(201).json()
                .path("install_command").asText();
        assertThat(command, containsString("curl -fsSL " + stack.gateway() + "/install.sh | sudo sh -s --"));

        // a host with no Java at all
        assertThat(machine.sh("command -v java || ls /usr/lib/jvm").exit(), is(not(0)));
        // exactly what the UI shows, as root on the machine (sudo and all)
        NspawnHost.Result install = machine.sh(Duration.ofMinutes(3), command);
        log("install", install.output());
        assertThat(install.output(), install.exit(), is(0));
        // no Java on the machine: the agent runs on the runtime in its bundle, with its own flags
        assertThat(install.output(), containsString("Java:   /opt/restic-manager-agent/runtime/bin/java (bundled"));
        assertThat(install.output(), containsString("signature verified"));
        assertThat(machine.sh("cat /opt/restic-manager-agent/restic-manager-agent").out(),
                   containsString("/opt/restic-manager-agent/runtime/bin/java\" @\"/opt/restic-manager-agent/agent.jvm\""));
        assertThat(install.output(), containsString("The agent is running"));

        assertThat(journalOnFailure(machine.sh("systemctl is-active " + SERVICE)).out(), is("active"));
        assertThat(machine.sh("systemctl is-enabled " + SERVICE).out(), is("enabled"));
        assertThat(machine.sh("stat -c %a /var/lib/restic-manager-agent/agent.yaml").out(), is("600"));
        hostId = machine.sh("sed -n 's/^host_id: *//p' /var/lib/restic-manager-agent/agent.yaml").out()
                .replace("\"", "").replace("'", "");
        assertThat(hostId, hostId.isEmpty(), is(false));
        awaitStatus("online", Duration.ofSeconds(60));
        JsonNode host = admin.get("/api/hosts/" + hostId).expect(200).json();
        assertThat(host.toString(), host.path("hostname").asText(), is(machine.name()));
        // reported with the host's facts, just after it came online
        Await.until(Duration.ofSeconds(20), "the host reported running as root", () ->
                admin.get("/api/hosts/" + hostId).json().path("runs_as_root").asBoolean());
        lap("installed with the dashboard's command and online", t);
    }

    @Test
    @Order(2)
    void backsUpAndRestoresToTheOriginalLocationUnderTheInstalledUnit() {
        long t = System.nanoTime();
        ok(machine.sh("mkdir -p " + DATA + "/docs && printf 'alpha\\n' > " + DATA + "/a.txt && printf 'bravo\\n' > "
                              + DATA + "/docs/b.txt && head -c 65536 /dev/urandom > " + DATA + "/blob.bin && sha256sum "
                              + DATA + "/blob.bin > /root/blob.sha256"));
        String repoId = admin.post("/api/repos", Map.of("name", "real-host-repo", "url", REPO, "password", PASSWORD))
                .expect(201).json().path("id").asText();
        admin.patch("/api/hosts/" + hostId, Map.of("repo_id", repoId)).expect(200);

        succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")));
        assertThat(machine.sh("test -f " + REPO + "/config").ok(), is(true));
        JsonNode backup = succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(DATA))));
        snapshotId = backup.path("summary").path("snapshot_id").asText();
        assertThat(backup.toString(), snapshotId.isEmpty(), is(false));
        awaitSnapshotListed(snapshotId);
        lap("init + backup", t);

        t = System.nanoTime();
        ok(machine.sh("rm " + DATA + "/a.txt " + DATA + "/blob.bin && printf 'changed\\n' > " + DATA + "/docs/b.txt"));
        JsonNode created = admin.post("/api/hosts/" + hostId + "/restores", Map.of(
                "snapshot_id", snapshotId, "paths", List.of(DATA), "target", "original")).expect(202).json();
        JsonNode restore = succeeded(Fleet.awaitEnd(admin, created.path("job_id").asText(), Duration.ofSeconds(90)));
        assertThat(restore.toString(), restore.path("summary").path("files_restored").asLong(), is(3L));
        assertThat(machine.sh("cat " + DATA + "/a.txt").out(), is("alpha"));
        assertThat(machine.sh("cat " + DATA + "/docs/b.txt").out(), is("bravo"));
        assertThat(ok(machine.sh("sha256sum -c /root/blob.sha256")), containsString(": OK"));
        lap("restore to the original location", t);
    }

    @Test
    @Order(3)
    void aPreHookRunsUnderTheInstalledUnit() {
        long t = System.nanoTime();
        Api.Reply put = admin.put("/api/hosts/" + hostId + "/hooks",
                                  Map.of("pre_hook", "echo hook-ran > " + DATA + "/hook.txt"));
        Assumptions.assumeFalse(put.status() == 404 || put.status() == 405,
                                "PUT /api/hosts/{id}/hooks answers " + put.status()
                                        + ": backup hooks are not in this build yet");
        put.expect(200);
        JsonNode job = succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(DATA))));
        assertThat(machine.sh("cat " + DATA + "/hook.txt").out(), is("hook-ran"));
        String log = admin.get("/api/jobs/" + job.path("id").asText() + "/logs?limit=1000").json().toString();
        assertThat(log, containsString("pre-hook succeeded"));
        lap("backup with a pre-hook", t);
    }

    @Test
    @Order(4)
    void aRestartedServiceComesBackOnlineAndRunsJobs() {
        long t = System.nanoTime();
        String before = machine.sh("systemctl show -p MainPID --value " + SERVICE).out();
        ok(machine.sh("systemctl restart " + SERVICE));
        assertThat(journalOnFailure(machine.sh("systemctl is-active " + SERVICE)).out(), is("active"));
        assertThat(machine.sh("systemctl show -p MainPID --value " + SERVICE).out(), not(is(before)));
        // the JVM's exit on SIGTERM (143) is a clean stop, not a failure
        assertThat(machine.sh("journalctl --no-pager -u " + SERVICE).output(), not(containsString("Failed with result")));
        awaitStatus("online", Duration.ofSeconds(60));
        succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "snapshots")));
        lap("systemctl restart → online, a job runs", t);
    }

    @Test
    @Order(5)
    void afterARebootTheServiceStartsByItselfWithItsHistory() throws Exception {
        long t = System.nanoTime();
        List<String> jobsBefore = jobIds();
        // while the machine is down the hub sees it go silent: offline (so "online" below is the rebooted agent)
        machine.reboot(BOOT, () -> awaitStatus("offline", Duration.ofSeconds(30)));
        lap("reboot (down and booted again)", t);
        assertThat(journalOnFailure(machine.sh("systemctl is-active " + SERVICE)).out(), is("active"));
        awaitStatus("online", Duration.ofSeconds(60));
        lap("reboot → online", t);
        assertThat(jobIds(), hasItems(jobsBefore.toArray(String[]::new)));
        JsonNode backup = succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(DATA))));
        awaitSnapshotListed(backup.path("summary").path("snapshot_id").asText());
        assertThat(snapshotIds().stream().anyMatch(s -> s.startsWith(snapshotId)), is(true));
        lap("reboot → online, history kept, backup ran", t);
    }

    @Test
    @Order(6)
    void theUninstallLeavesNothingBehind() {
        long t = System.nanoTime();
        NspawnHost.Result uninstall = machine.sh(Duration.ofMinutes(2), "curl -fsSL " + stack.gateway()
                + "/install.sh | sudo sh -s -- --uninstall");
        log("uninstall", uninstall.output());
        assertThat(uninstall.output(), uninstall.exit(), is(0));

        assertThat(machine.sh("systemctl is-active " + SERVICE).out(), is("inactive"));
        assertThat(machine.sh("systemctl list-unit-files --no-legend " + SERVICE + ".service").out(), is(""));
        // no unit, no agent, no config/state, no drop-in, no process, nothing else named after it
        assertThat(machine.sh("find / /run -xdev -name '*restic-manager-agent*' -print").out(), is(""));
        // (the bracket keeps this very shell and grep from matching themselves)
        assertThat(machine.sh("grep -l '[r]estic-manager-agent' /proc/[0-9]*/cmdline 2>/dev/null").out(), is(""));
        // what the uninstall leaves alone on purpose: the backups and the backed-up files
        assertThat(machine.sh("test -f " + REPO + "/config && test -f " + DATA + "/a.txt").ok(), is(true));
        awaitStatus("offline", Duration.ofSeconds(30));
        lap("uninstall", t);
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static void awaitStatus(String status, Duration timeout) {
        Await.until(timeout, "host " + hostId + " " + status, () ->
                status.equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
    }

    /** The agent reports a backup's snapshots after the job ends: listed (by short or full id) soon after. */
    private static void awaitSnapshotListed(String id) {
        Await.until(Duration.ofSeconds(20), "snapshot " + id + " listed", () -> snapshotIds().stream()
                .anyMatch(s -> s.startsWith(id)));
    }

    private static List<String> snapshotIds() {
        List<String> ids = new ArrayList<>();
        admin.get("/api/hosts/" + hostId + "/snapshots").expect(200).json().path("items")
                .forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    private static List<String> jobIds() {
        List<String> ids = new ArrayList<>();
        admin.get("/api/jobs?host_id=" + hostId).expect(200).json().path("items").forEach(j -> ids.add(j.path("id").asText()));
        return ids;
    }

    private static JsonNode succeeded(JsonNode job) {
        if (!"succeeded".equals(job.path("status").asText())) {
            String logs = admin.get("/api/jobs/" + job.path("id").asText() + "/logs?limit=1000").body();
            throw new AssertionError(job.path("kind").asText() + " job " + job.path("status").asText() + ": "
                                             + job.path("error").asText() + "\njob: " + job + "\nlog: " + logs
                                             + "\njournal:\n" + journal());
        }
        return job;
    }

    private static String ok(NspawnHost.Result result) {
        assertThat(result.output(), result.exit(), is(0));
        return result.output();
    }

    /** On failure, the service's journal goes into the assertion message. */
    private static NspawnHost.Result journalOnFailure(NspawnHost.Result isActive) {
        if (!isActive.out().equals("active")) {
            throw new AssertionError("the service is " + isActive.out() + ":\n" + journal());
        }
        return isActive;
    }

    private static String journal() {
        return NspawnHost.tail(machine.sh("journalctl --no-pager -u " + SERVICE).output(), 40);
    }

    private static void log(String what, String output) {
        try {
            Files.writeString(stack.logDir().resolve("machine-" + what + ".log"), output, StandardOpenOption.CREATE,
                              StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void lap(String what, long since) {
        System.out.printf("[real-host] %s: %.1f s%n", what, (System.nanoTime() - since) / 1e9);
    }
}
