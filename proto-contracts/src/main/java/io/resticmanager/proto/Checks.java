package io.resticmanager.proto;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The field rules every side applies to the same values — API bodies, UI forms, the agent's last check before
 * restic — so a value one side accepts is never refused by the next.
 */
public final class Checks {
    /** Our ids (hosts, repositories, jobs, schedules): letters, digits, dot, underscore, dash. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** A restic snapshot id, full (64 hex) or any unique prefix of at least 8. */
    private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9a-f]{8,64}");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,6})?)%");
    private static final Pattern FRACTION = Pattern.compile("(\\d{1,9})/(\\d{1,9})");
    // restic 0.14 takes a size as a whole number with a unit: "500M", "2G" ("1.5G" and a bare "500" it refuses)
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})[bBkKmMgGtT]");
    /** {@code C:\…} or {@code C:/…}: a drive letter, a colon and a separator (a bare "C:" is drive-relative). */
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("[A-Za-z]:[\\\\/].*", Pattern.DOTALL);
    /** {@code \\server\share\…}: server and share named; no device path ({@code \\?\…}, {@code \\.\…}). */
    private static final Pattern UNC = Pattern.compile("\\\\\\\\(?!\\.\\\\)[^\\\\/?*:<>|\"]+\\\\[^\\\\/?*:<>|\"]+([\\\\/].*)?",
                                                       Pattern.DOTALL);
    /** restic forget's {@code --keep-within}: numbers with a unit of y, m, d or h ({@code 1y6m}, {@code 30d}). */
    private static final Pattern KEEP_WITHIN = Pattern.compile("(\\d+[yYmdhH])+");
    private static final Pattern SEPARATORS = Pattern.compile("[\\\\/]");
    /** Longer than any path a file system here takes (Linux PATH_MAX, Windows' long paths are 32767 UTF-16 units). */
    public static final int MAX_PATH = 4096;

    /** What a user is told when {@link #readDataSubset} refuses a value. */
    public static final String READ_DATA_SUBSET_RULE =
            "read_data_subset must be a percentage (10%, 2.5%), a fraction n/t (1/5) or a size (500M, 2G)";

    private Checks() {
    }

    public static boolean id(String value) {
        return value != null && ID.matcher(value).matches();
    }

    public static boolean snapshotId(String value) {
        return value != null && SNAPSHOT_ID.matcher(value).matches();
    }

    /** What a user is told when {@link #absolutePath} refuses a value. */
    public static final String ABSOLUTE_PATH_RULE = "an absolute path (/srv/restore, C:\\Restore, "
            + "\\\\server\\share\\dir) without '..' segments, NUL or line breaks";

    /**
     * A directory on a host of any system: POSIX absolute ({@code /srv/restore}), a Windows drive path
     * ({@code C:\Restore}, {@code C:/Restore}) or a UNC path ({@code \\server\share\dir}). No {@code ..} segment
     * (with either separator), NUL, carriage return or line feed; at most {@link #MAX_PATH} characters.
     */
    public static boolean absolutePath(String value) {
        return posixAbsolutePath(value) || windowsAbsolutePath(value);
    }

    /**
     * A POSIX absolute path, as restic names every path in a snapshot (also a Windows host's: {@code /C/Users/…}) and
     * as a Linux host names its directories. Same segment rules as {@link #absolutePath}.
     */
    public static boolean posixAbsolutePath(String value) {
        return value != null && value.startsWith("/") && clean(value);
    }

    /** A Windows drive or UNC path; see {@link #absolutePath}. */
    public static boolean windowsAbsolutePath(String value) {
        return value != null && (windowsDrivePath(value) || UNC.matcher(value).matches()) && clean(value);
    }

    /**
     * Starts like a Windows drive path ({@code C:\…}, {@code C:/…}), nothing more checked: how a repository URL that
     * is a local Windows path is told from a {@code scheme:…} one.
     */
    public static boolean windowsDrivePath(String value) {
        return value != null && WINDOWS_DRIVE.matcher(value).matches();
    }

    /** A {@code keep_within} duration as restic takes it: {@code 1y6m}, {@code 30d}, {@code 12h}. */
    public static boolean keepWithin(String value) {
        return value != null && KEEP_WITHIN.matcher(value).matches();
    }

    private static boolean clean(String value) {
        if (value.length() > MAX_PATH || value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0) {
            return false;
        }
        // '\' separates on Windows; on POSIX it is a file name character, but a "..\" there is never a real need
        for (String segment : SEPARATORS.split(value)) {
            if (segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * restic check's {@code --read-data-subset}: a percentage in (0, 100], a fraction n/t with 1 ≤ n ≤ t, or a
     * positive whole size with a B/K/M/G/T unit — what restic 0.14+ accepts (checked against the binary).
     */
    public static boolean readDataSubset(String value) {
        if (value == null) {
            return false;
        }
        Matcher percent = PERCENT.matcher(value);
        if (percent.matches()) {
            double p = Double.parseDouble(percent.group(1));
            return p > 0 && p <= 100;
        }
        Matcher fraction = FRACTION.matcher(value);
        if (fraction.matches()) {
            long n = Long.parseLong(fraction.group(1));
            long t = Long.parseLong(fraction.group(2));
            return n >= 1 && n <= t;
        }
        Matcher size = SIZE.matcher(value);
        return size.matches() && Long.parseLong(size.group(1)) > 0;
    }
}
