package io.resticmanager.proto;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Version numbers as the server, the dashboard and the alerts compare them (agent builds and restic). */
public final class Versions {
    /** The oldest restic whose JSON output the agent reads (restic 0.14 wire shapes). */
    public static final String MIN_RESTIC = "0.14.0";
    /** A build without a jar manifest version (tests, a development tree) calls itself this. */
    public static final String FALLBACK = "0.1.0";
    private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d{1,9})");
    private static final Pattern DOTTED = Pattern.compile("\\d{1,9}(\\.\\d{1,9}){0,3}([-+ ].*)?");

    private Versions() {
    }

    /** The version of the build {@code type} came from: its jar's Implementation-Version, else {@link #FALLBACK}. */
    public static String of(Class<?> type) {
        String v = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? FALLBACK : v;
    }

    /** Compares dotted versions numerically ("0.16.2" > "0.9.9"); anything after a '-', '+' or ' ' is ignored. */
    public static int compare(String a, String b) {
        String[] x = a.split("[-+ ]")[0].split("\\.");
        String[] y = b.split("[-+ ]")[0].split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingNumber(x[i]) : 0;
            int q = i < y.length ? leadingNumber(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    /** True for "1.2", "0.16.4", "1.0.0-rc1"; false for "bench", "", "v1". */
    public static boolean readable(String v) {
        return v != null && DOTTED.matcher(v.strip()).matches();
    }

    /**
     * How far {@code version} is behind {@code reference}, counted in the first component that differs: "2 minor
     * versions behind" for 0.1.x against 0.3.x, "1 major version behind", "3 patch versions behind". Empty when it
     * is not behind (equal or newer) or either is unreadable.
     */
    public static Optional<Behind> behind(String version, String reference) {
        if (!readable(version) || !readable(reference) || compare(version, reference) >= 0) {
            return Optional.empty();
        }
        String[] x = version.strip().split("[-+ ]")[0].split("\\.");
        String[] y = reference.strip().split("[-+ ]")[0].split("\\.");
        String[] names = {"major", "minor", "patch", "build"};
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingNumber(x[i]) : 0;
            int q = i < y.length ? leadingNumber(y[i]) : 0;
            if (p != q) {
                return Optional.of(new Behind(q - p, names[Math.min(i, names.length - 1)]));
            }
        }
        return Optional.empty();
    }

    /** {@code count} versions of kind {@code level} (major, minor, patch) behind. */
    public record Behind(int count, String level) {
        public String words() {
            return count + " " + level + " version" + (count == 1 ? "" : "s") + " behind";
        }
    }

    private static int leadingNumber(String part) {
        Matcher m = LEADING_NUMBER.matcher(part);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
