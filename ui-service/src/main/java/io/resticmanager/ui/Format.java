package io.resticmanager.ui;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How numbers and times read on every page: binary units, short durations, relative times. */
final class Format {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final DateTimeFormatter ABSOLUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** 1288490189 → "1.2 GiB"; below 1 KiB exact bytes. */
    static String bytes(long bytes) {
        if (bytes < 0) {
            return "–";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + UNITS[unit];
    }

    /** 3725 s → "1 h 2 min"; 42.5 s → "42 s"; under a second → "<1 s". */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) {
            return "<1 s";
        }
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            long sec = s % 60;
            return s / 60 + " min" + (sec == 0 ? "" : " " + sec + " s");
        }
        if (s < 86_400) {
            long min = s % 3600 / 60;
            return s / 3600 + " h" + (min == 0 ? "" : " " + min + " min");
        }
        long hours = s % 86_400 / 3600;
        return s / 86_400 + " d" + (hours == 0 ? "" : " " + hours + " h");
    }

    static String durationSeconds(double seconds) {
        return duration(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    /** "just now", "42 s ago", "3 min ago", "5 h ago", "12 d ago", then the date; future times read "in …". */
    static String relative(Instant then, Instant now) {
        long s = Duration.between(then, now).toSeconds();
        boolean future = s < 0;
        long a = Math.abs(s);
        if (a < 10) {
            return "just now";
        }
        String amount;
        if (a < 60) {
            amount = a + " s";
        } else if (a < 3600) {
            amount = a / 60 + " min";
        } else if (a < 86_400) {
            amount = a / 3600 + " h";
        } else if (a < 30 * 86_400) {
            amount = a / 86_400 + " d";
        } else {
            return DATE.format(then);
        }
        return future ? "in " + amount : amount + " ago";
    }

    static String absolute(Instant t) {
        return ABSOLUTE.format(t);
    }

    /** A time as pages show it: relative text, the absolute time as tooltip, ISO for {@code <time datetime>}. */
    record When(String relative, String absolute, String iso) {
    }

    static When when(Instant t, Instant now) {
        return t == null ? null : new When(relative(t, now), absolute(t), t.toString());
    }

    /** 0.42 → "42%"; the agent reports fractions, values above 1 are taken as percentages already. */
    static int percent(double value) {
        double p = value <= 1.0 ? value * 100 : value;
        return (int) Math.max(0, Math.min(100, Math.floor(p)));
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
