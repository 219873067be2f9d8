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
 * {@code systemctl}, journald, apt, dpkg). The dashboard's install command runs there as printed
 * ({@code curl … | sudo sh …}) and, the host having APT, installs the agent's package from the server's signed APT
 * repository; then the installed service backs up, restores to the original location, runs a backup hook, survives
 * {@code systemctl restart} and a reboot of the machine; APT refuses a tampered Release and a tampered package; a
 * newer agent published on the server is installed by {@code apt-get install --only-upgrade} and by the API's
 * update action, each time reconnecting with the new version and its config, credential and history; and the
 * uninstall leaves nothing behind. Debian 12 packages no Java 21+ and the machine has no Java at all: the agent runs on the
 * runtime its bundle brings. Skipped (with the reason) where no container can be
 * booted: not root, systemd-nspawn or debootstrap missing, no cached root file system and no mirror to build one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealHostTest {
    private static final String PASSWORD = "real-host-repo-password-51c";
    private static final String SERVICE = "restic-manager-agent";
    /** The transient unit the agent starts for an update. */
    private static final String UPDATE_UNIT = "restic-manager-agent-update";
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
    /** The hub's APT pool: the agent's built package, and the newer versions the tests publish. */
    private static Path pool;
    private static Path builtDeb;

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
        builtDeb = AgentRuntimeTest.debianPackage().orElse(null);
        Assumptions.assumeTrue(builtDeb != null, "no agent .deb: the agent's build makes one on linux-x86_64");
        pool = Files.createTempDirectory(Path.of("/var/tmp"), "rm-apt-pool-");
        Files.copy(builtDeb, pool.resolve(builtDeb.getFileName()));
        stack = Stack.start("real-host", "rm.hub.heartbeat-interval-s=1", "rm.hub.offline-after-s=5",
                            "rm.hub.apt-pool=" + pool);
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
            if (pool != null) {
                NspawnHost.remove(pool);
            }
            lap("whole test class", T0);
        }
    }

    @Test
    @Order(1)
    void theDashboardsInstallCommandInstallsTheAgentAsAnEnabledSystemdService() throws Exception {
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
        // a host with APT gets the package from the server's signed repository, its keyring checked first
        assertThat(install.output(), containsString("named in the list signed by the server's release key (Ed25519): verified"));
        assertThat(install.output(), containsString("Installed restic-manager-agent " + debVersion(builtDeb)));
        assertThat(machine.sh("cat /etc/apt/sources.list.d/restic-manager.list").out(),
                   is("deb [arch=amd64 signed-by=/etc/apt/keyrings/restic-manager.gpg] " + stack.gateway()
                              + "/downloads/apt stable main"));
        assertThat(ok(machine.sh("dpkg-query -W -f='${Status} ${Version}' restic-manager-agent")),
                   is("install ok installed " + debVersion(builtDeb)));
        // no Java on the machine: the agent runs on the runtime in its package, with its own flags
        assertThat(machine.sh("systemctl show -p FragmentPath --value " + SERVICE).out(),
                   is("/lib/systemd/system/" + SERVICE + ".service"));
        assertThat(ok(machine.sh("tr '\\0' ' ' < /proc/$(systemctl show -p MainPID --value " + SERVICE
                                         + ")/cmdline")),
                   containsString("/opt/restic-manager-agent/runtime/bin/java @/opt/restic-manager-agent/agent.jvm"));
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
    void aptRefusesATamperedReleaseAndATamperedPackage() {
        long t = System.nanoTime();
        // a copy of the server's repository on the host, served to APT from there: what a man in the middle
        // could hand out, checked with the keyring install.sh put in place
        String m = "/srv/apt-copy";
        String apt = "apt-get -o Dir::Etc::sourcelist=" + m + "/sources.list -o Dir::Etc::sourceparts=- "
                + "-o Dir::State::Lists=" + m + "/lists -o Dir::Cache::archives=" + m + "/archives "
                + "-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Get::List-Cleanup=0";
        String fetch = "set -e; S=" + stack.gateway() + "/downloads/apt; M=" + m + "; "
                + "for f in InRelease Release Release.gpg main/binary-amd64/Packages main/binary-amd64/Packages.gz; do "
                + "curl -fsS \"$S/dists/stable/$f\" -o \"$M/dists/stable/$f\"; done; "
                + "P=$(sed -n 's/^Filename: //p' $M/dists/stable/main/binary-amd64/Packages | head -n 1); "
                + "curl -fsS \"$S/$P\" -o \"$M/$P\"; echo \"$P\"";
        ok(machine.sh("set -e; rm -rf " + m + "; mkdir -p " + m + "/dists/stable/main/binary-amd64 " + m + "/pool "
                              + m + "/lists/partial " + m + "/archives/partial; echo 'deb [signed-by=/etc/apt/keyrings/"
                              + "restic-manager.gpg] file:" + m + " stable main' > " + m + "/sources.list"));
        String deb = m + "/" + ok(machine.sh(fetch)).strip();
        // untouched, APT takes it
        ok(machine.sh(apt + " update"));
        ok(machine.sh("cd /tmp && " + apt + " download restic-manager-agent && rm -f /tmp/*.deb"));

        // one byte of the package changed: its SHA-256 is not the one the signed index names
        ok(machine.sh("printf 'X' | dd of=" + deb + " bs=1 seek=1000000 conv=notrunc 2>/dev/null"));
        NspawnHost.Result download = machine.sh("cd /tmp && " + apt + " download restic-manager-agent");
        log("apt-tampered-package", download.output());
        assertThat(download.output(), download.exit(), is(not(0)));
        assertThat(download.output(), containsString("Hash Sum mismatch"));
        assertThat(machine.sh("ls /tmp/*.deb").exit(), is(not(0)));

        // the Release changed (here: what it says the index is): its signature no longer holds
        ok(machine.sh(fetch));
        ok(machine.sh("sed -i 's/^Label: restic-manager$/Label: someone-else/' " + m + "/dists/stable/InRelease "
                              + m + "/dists/stable/Release && rm -rf " + m + "/lists && mkdir -p " + m + "/lists/partial"));
        NspawnHost.Result update = machine.sh(apt + " update");
        log("apt-tampered-release", update.output());
        assertThat(update.output(), update.exit(), is(not(0)));
        assertThat(update.output(), containsString("BADSIG"));
        assertThat(machine.sh("ls " + m + "/lists/*Packages*").exit(), is(not(0)));
        ok(machine.sh("rm -rf " + m));
        // the installed agent is untouched by all that
        assertThat(journalOnFailure(machine.sh("systemctl is-active " + SERVICE)).out(), is("active"));
        lap("tampered package and Release refused by apt", t);
    }

    @Test
    @Order(7)
    void aNewerAgentOnTheServerIsInstalledByAptGetOnlyUpgradeAndKeepsEverything() throws Exception {
        long t = System.nanoTime();
        Before before = before();
        publish("0.1.1");
        NspawnHost.Result upgrade = machine.sh(Duration.ofMinutes(3), "export DEBIAN_FRONTEND=noninteractive; "
                + "apt-get update -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/restic-manager.list "
                + "-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 "
                + "&& apt-get install -y --only-upgrade restic-manager-agent");
        log("apt-upgrade", upgrade.output());
        assertThat(upgrade.output(), upgrade.exit(), is(0));
        assertThat(upgrade.output(), containsString("Unpacking restic-manager-agent (0.1.1)"));
        upgraded(before, "0.1.1");
        lap("apt-get install --only-upgrade → 0.1.1 online, backup ran, nothing lost", t);
    }

    @Test
    @Order(8)
    void theApisUpdateActionUpgradesTheAgentThroughAptForAdminsOnly() throws Exception {
        long t = System.nanoTime();
        publish("0.1.2");
        String operatorToken = admin.post("/api/tokens", Map.of("name", "real-host-operator", "role", "operator"))
                .expect(201).json().path("token").asText();
        Api operator = Api.bearer(stack.gateway(), operatorToken);
        assertThat(operator.post("/api/hosts/" + hostId + "/update", Map.of()).status(), is(403));
        assertThat(operator.post("/api/hosts/update", Map.of()).status(), is(403));
        assertThat(admin.get("/api/hosts/" + hostId).json().path("agent_version").asText(), is("0.1.1"));

        Before before = before();
        JsonNode started = admin.post("/api/hosts/" + hostId + "/update", Map.of()).expect(202).json();
        assertThat(started.toString(), started.path("status").asText(), is("started"));
        assertThat(started.path("from_version").asText(), is("0.1.1"));
        // the upgrade ran as its own unit, outside the agent's sandbox, and restarted the agent on 0.1.2
        Await.until(Duration.ofSeconds(120), "the update unit finished with the agent at 0.1.2", () ->
                !machine.sh("systemctl is-active " + UPDATE_UNIT).out().equals("active")
                        && machine.sh("dpkg-query -W -f='${Status} ${Version}' restic-manager-agent").out()
                        .equals("install ok installed 0.1.2"));
        log("api-update", machine.sh("journalctl --no-pager -u " + UPDATE_UNIT).output());
        upgraded(before, "0.1.2");
        assertThat(admin.get("/api/audit?action=agent.update&limit=10").json().path("items").toString(),
                   containsString(hostId));
        lap("POST /api/hosts/{id}/update → 0.1.2 online, backup ran, nothing lost", t);

        // "update all" with nothing newer: the agent runs the upgrade, which finds nothing, and stays as it is
        JsonNode all = admin.post("/api/hosts/update", Map.of()).expect(202).json();
        assertThat(all.toString(), all.path("started").asInt(), is(1));
        assertThat(all.path("items").get(0).path("host_id").asText(), is(hostId));
        // both runs of the unit ended (each says what it left installed)
        Await.until(Duration.ofSeconds(60), "the no-op update finished", () -> machine.sh(
                "journalctl --no-pager -u " + UPDATE_UNIT + " | grep -c 'restic-manager-agent: now 0.1.2'").out()
                .equals("2"));
        assertThat(machine.sh("dpkg-query -W -f='${Version}' restic-manager-agent").out(), is("0.1.2"));
        awaitStatus("online", Duration.ofSeconds(30));
    }

    @Test
    @Order(9)
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

    /** What must survive an upgrade: the agent's config (its credential in it), its state, the job history. */
    private record Before(String config, String mode, List<String> jobs, String pid) {
    }

    private static Before before() {
        return new Before(ok(machine.sh("sha256sum /var/lib/restic-manager-agent/agent.yaml")),
                          ok(machine.sh("stat -c %a /var/lib/restic-manager-agent/agent.yaml")), jobIds(),
                          machine.sh("systemctl show -p MainPID --value " + SERVICE).out());
    }

    /** After an upgrade to {@code version}: a new agent process, online with that version, a backup, nothing lost. */
    private static void upgraded(Before before, String version) {
        assertThat(ok(machine.sh("dpkg-query -W -f='${Version}' restic-manager-agent")), is(version));
        assertThat(journalOnFailure(machine.sh("systemctl is-active " + SERVICE)).out(), is("active"));
        assertThat(machine.sh("systemctl show -p MainPID --value " + SERVICE).out(), not(is(before.pid())));
        Await.until(Duration.ofSeconds(60), "host " + hostId + " online with agent " + version, () -> {
            JsonNode host = admin.get("/api/hosts/" + hostId).json();
            return "online".equals(host.path("status").asText()) && version.equals(host.path("agent_version").asText());
        });
        assertThat(ok(machine.sh("sha256sum /var/lib/restic-manager-agent/agent.yaml")), is(before.config()));
        assertThat(ok(machine.sh("stat -c %a /var/lib/restic-manager-agent/agent.yaml")), is(before.mode()));
        assertThat(jobIds(), hasItems(before.jobs().toArray(String[]::new)));
        JsonNode backup = succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(DATA))));
        awaitSnapshotListed(backup.path("summary").path("snapshot_id").asText());
        assertThat(snapshotIds().stream().anyMatch(s -> s.startsWith(snapshotId)), is(true));
    }

    /**
     * Publishes the agent as {@code version} in the hub's APT pool: the built package, its version and the agent
     * jar's Implementation-Version (what the agent reports) changed, packed again with dpkg-deb.
     */
    private static void publish(String version) throws Exception {
        Path work = Files.createTempDirectory(runDir, "deb-" + version + "-");
        Path root = work.resolve("root");
        hostOk("dpkg-deb", "-R", builtDeb.toString(), root.toString());
        Path control = root.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path manifest = Files.writeString(work.resolve("manifest.mf"), "Implementation-Version: " + version + "\n");
        java.io.StringWriter out = new java.io.StringWriter();
        int jar = java.util.spi.ToolProvider.findFirst("jar").orElseThrow().run(
                new java.io.PrintWriter(out), new java.io.PrintWriter(out), "--update", "--file",
                root.resolve("opt/restic-manager-agent/restic-manager-agent.jar").toString(), "--manifest",
                manifest.toString());
        assertThat(out.toString(), jar, is(0));
        hostOk("sh", "-c", "cd '" + root + "' && find opt lib usr -type f -exec md5sum {} + > DEBIAN/md5sums");
        Path deb = pool.resolve("restic-manager-agent_" + version + "_amd64.deb");
        Path partial = work.resolve("partial.deb");
        hostOk("dpkg-deb", "-Zgzip", "--root-owner-group", "--build", root.toString(), partial.toString());
        // whole or not at all: the hub indexes what it finds
        Files.move(partial, deb, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        NspawnHost.remove(work);
        assertThat(debVersion(deb), is(version));
    }

    private static String debVersion(Path deb) throws Exception {
        return hostOk("dpkg-deb", "--field", deb.toString(), "Version").strip();
    }

    private static String hostOk(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(String.join(" ", cmd), p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), is(true));
        assertThat(String.join(" ", cmd) + "\n" + output, p.exitValue(), is(0));
        return output;
    }

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
