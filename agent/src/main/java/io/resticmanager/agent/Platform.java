package io.resticmanager.agent;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The operating system the agent runs on and its environment: where the agent's files live by default and what
 * restic's binary is called. Built from {@code os.name} and the environment once, at the edge ({@link #current()});
 * everything else takes it as an input, so Windows behaviour is tested on Linux by building a Windows platform.
 */
record Platform(Family family, Map<String, String> env) {
    /** The families the agent tells apart; anything else (macOS, BSD) behaves like Linux. */
    enum Family {
        LINUX, WINDOWS, OTHER;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where install.sh and the Debian package keep the config (beside the spool, in the unit's one writable directory). */
    static final String LINUX_CONFIG = "/var/lib/restic-manager-agent/agent.yaml";
    /** Where Windows keeps machine-wide program data when {@code ProgramData} is not set. */
    static final String WINDOWS_PROGRAM_DATA = "C:\\ProgramData";

    private static final Platform CURRENT = of(System.getProperty("os.name", ""), System.getenv());

    Platform {
        // Windows variable names are case-insensitive (Path, PATH; ProgramData, PROGRAMDATA): look them up that way
        TreeMap<String, String> copy = new TreeMap<>(family == Family.WINDOWS ? String.CASE_INSENSITIVE_ORDER : null);
        copy.putAll(env);
        env = java.util.Collections.unmodifiableMap(copy);
    }

    /** This machine, read once. */
    static Platform current() {
        return CURRENT;
    }

    /** A platform from an {@code os.name} value ("Linux", "Windows Server 2022", "Mac OS X") and an environment. */
    static Platform of(String osName, Map<String, String> env) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        Family family = os.startsWith("windows") ? Family.WINDOWS : os.startsWith("linux") ? Family.LINUX
                : Family.OTHER;
        return new Platform(family, env);
    }

    boolean windows() {
        return family == Family.WINDOWS;
    }

    Optional<String> variable(String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    /**
     * The config file when {@code --config} is not given: {@code /var/lib/restic-manager-agent/agent.yaml}, on Windows
     * {@code %ProgramData%\restic-manager\agent.yaml}. A string: this JVM's Path may not parse the other system's.
     */
    String defaultConfigFile() {
        if (!windows()) {
            return LINUX_CONFIG;
        }
        String programData = variable("ProgramData").orElse(WINDOWS_PROGRAM_DATA);
        return programData.replaceAll("[\\\\/]+$", "") + "\\restic-manager\\agent.yaml";
    }

    /** restic's file name on PATH: Windows needs the {@code .exe} (PATHEXT is not consulted). */
    String resticBinaryName() {
        return windows() ? "restic.exe" : "restic";
    }

    /** The separator between PATH entries. */
    String pathSeparator() {
        return windows() ? ";" : ":";
    }
}
