package io.resticmanager.agent;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** restic's version, from {@code restic version} ("restic 0.14.0 compiled with go1.19.8 on linux/amd64"). */
record ResticVersion(int major, int minor, int patch) implements Comparable<ResticVersion> {
    private static final Pattern VERSION = Pattern.compile("restic\\s+v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    static java.util.Optional<ResticVersion> parse(String output) {
        Matcher m = VERSION.matcher(output == null ? "" : output);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new ResticVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                                                       m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    boolean atLeast(int maj, int min) {
        return major > maj || major == maj && minor >= min;
    }

    /** restic ≥ 0.17 reports missing repo / lock failure / wrong password as exit 10 / 11 / 12. */
    boolean hasDetailedExitCodes() {
        return atLeast(0, 17);
    }

    /** {@code restore --json} (status and summary messages) exists since 0.16. */
    boolean hasRestoreJson() {
        return atLeast(0, 16);
    }

    /** {@code restore --verify} (restic re-reads what it restored and compares it with the snapshot) since 0.9. */
    boolean hasRestoreVerify() {
        return atLeast(0, 9);
    }

    /** {@code check --json} exists since 0.18. */
    boolean hasCheckJson() {
        return atLeast(0, 18);
    }

    @Override
    public int compareTo(ResticVersion o) {
        return major != o.major ? Integer.compare(major, o.major)
                : minor != o.minor ? Integer.compare(minor, o.minor) : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
