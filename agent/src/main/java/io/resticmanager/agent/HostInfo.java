package io.resticmanager.agent;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Facts about this machine reported in enrollment, hello and host.facts. */
record HostInfo(String hostname, String os, String arch, boolean runsAsRoot) {

    private static final HostInfo CURRENT = detect();

    /** This machine, detected once: the hostname reported to the server is the one snapshots carry. */
    static HostInfo current() {
        return CURRENT;
    }

    static HostInfo detect() {
        return new HostInfo(detectHostname(), System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT),
                            System.getProperty("os.arch", "unknown"), detectRoot());
    }

    private static String detectHostname() {
        // a container's hostname is random: RM_AGENT_HOSTNAME keeps the name (and so the snapshots' host) stable
        String fixed = System.getenv("RM_AGENT_HOSTNAME");
        if (fixed != null && fixed.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,252}")) {
            return fixed;
        }
        String env = System.getenv("HOSTNAME");
        try {
            String name = InetAddress.getLocalHost().getHostName();
            if (name != null && !name.isBlank()) {
                return name;
            }
        } catch (Exception ignored) {
            // fall through: a host without resolvable name still has /etc/hostname
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String name = Files.readString(etc).strip();
                if (!name.isBlank()) {
                    return name;
                }
            }
        } catch (Exception ignored) {
            // use the environment below
        }
        return env == null || env.isBlank() ? "unknown-host" : env;
    }

    private static boolean detectRoot() {
        try {
            Path status = Path.of("/proc/self/status");
            if (Files.isReadable(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("Uid:")) {
                        return line.split("\\s+")[1].equals("0");
                    }
                }
            }
        } catch (Exception ignored) {
            // not Linux: decide by name
        }
        String user = System.getProperty("user.name", "");
        return user.equals("root") || user.equalsIgnoreCase("SYSTEM");
    }
}
