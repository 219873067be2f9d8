package io.resticmanager.agent;

import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.Message;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * Upgrades this agent when the hub asks ({@code agent.update}): {@code restic-manager-agent update} (apt-get
 * install --only-upgrade from the server's signed APT repository) started by systemd as a unit of its own. Not
 * from here: the agent's sandbox keeps /usr read-only, and the package's postinst restarts this very service,
 * which would stop a child of it half way. Only where the agent was installed from its package; never while jobs
 * run (the restart would stop them).
 */
final class AgentUpdater {
    private static final Logger LOG = Logger.getLogger(AgentUpdater.class.getName());
    static final String UNIT = "restic-manager-agent-update";

    /** Where the package and the tools live; a test points it elsewhere. */
    record Host(Path root) {
        static Host system() {
            return new Host(Path.of("/"));
        }

        Path packageFiles() {
            return root.resolve("var/lib/dpkg/info/restic-manager-agent.list");
        }

        Path aptSource() {
            return root.resolve("etc/apt/sources.list.d/restic-manager.list");
        }

        Path systemdRun() {
            return root.resolve("usr/bin/systemd-run");
        }

        Path command() {
            return root.resolve("usr/bin/restic-manager-agent");
        }
    }

    private final Host host;
    private final IntSupplier runningJobs;

    AgentUpdater(Host host, IntSupplier runningJobs) {
        this.host = host;
        this.runningJobs = runningJobs;
    }

    /** Starts the upgrade, or says why not (an {@code error} payload). */
    Message update(Message.AgentUpdate request) {
        if (!Files.isRegularFile(host.packageFiles()) || !Files.isRegularFile(host.aptSource())
                || !Files.isExecutable(host.command())) {
            return Message.Error.of(ErrorCode.UPDATE_UNAVAILABLE, "this agent was not installed from its package "
                    + "through the server's APT repository (install.sh on Debian/Ubuntu); re-run the install command "
                    + "to upgrade it");
        }
        if (!Files.isExecutable(host.systemdRun())) {
            return Message.Error.of(ErrorCode.UPDATE_UNAVAILABLE, "systemd-run is missing on this host");
        }
        int running = runningJobs.getAsInt();
        if (running > 0) {
            return Message.Error.of(ErrorCode.BUSY, running + " job(s) running: update once they have finished");
        }
        List<String> cmd = List.of(host.systemdRun().toString(), "--unit=" + UNIT, "--collect", "--no-block",
                                   "--quiet", "--description=restic-manager agent update " + request.updateId(),
                                   host.command().toString(), "update");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Message.Error.of(ErrorCode.INTERNAL, "systemd-run did not answer in 30 s");
            }
            if (p.exitValue() != 0) {
                // the usual reason: the unit of an earlier update still runs
                return Message.Error.of(out.contains("already") ? ErrorCode.BUSY : ErrorCode.INTERNAL,
                                        "systemd-run exited " + p.exitValue() + ": " + out);
            }
        } catch (IOException e) {
            return Message.Error.of(ErrorCode.INTERNAL, "cannot start the update: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Message.Error.of(ErrorCode.INTERNAL, "interrupted");
        }
        LOG.info("update " + request.updateId() + " started (" + UNIT + ".service; journalctl -u " + UNIT + ")");
        return new Message.AgentUpdateStarted(request.updateId(), AgentVersion.current(), "apt");
    }
}
