package io.resticmanager.common;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A standard 5-field Unix cron expression ({@code minute hour day-of-month month day-of-week}) with
 * lists, ranges, steps, month/day names and the {@code @hourly}-style macros, and the next time it
 * fires in a time zone. The server computes {@code next_run_at} and the agent fires with this one
 * class, so both always agree.
 *
 * <p>Semantics follow Vixie cron. When both day-of-month and day-of-week are restricted, a day
 * matching either fires. Daylight-saving changes: a fixed-time schedule (no {@code *} in its minute or
 * hour field) whose local time falls into a skipped hour fires once at the moment the clock jumps,
 * and fires only once (the first occurrence) in a repeated hour; a wildcard schedule simply follows
 * the wall clock (nothing in the skipped hour, both passes of the repeated one). A schedule never
 * silently loses a day.
 */
public final class Cron {
    /** How far ahead {@link #next} looks; Feb 29 schedules fire at least every 8 years. */
    private static final int MAX_DAYS = 366 * 8 + 2;
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
                                                       "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;
    private final boolean wallClock;

    private Cron(String expression, String[] f) {
        this.expression = expression;
        this.minutes = field(f[0], "minute", 0, 59, List.of(), 0);
        this.hours = field(f[1], "hour", 0, 23, List.of(), 0);
        this.daysOfMonth = field(f[2], "day of month", 1, 31, List.of(), 1);
        this.months = field(f[3], "month", 1, 12, MONTHS, 1);
        BitSet dow = field(f[4], "day of week", 0, 7, DAYS, 0);
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        this.daysOfWeek = dow;
        this.domRestricted = !f[2].startsWith("*");
        this.dowRestricted = !f[4].startsWith("*");
        this.wallClock = f[0].startsWith("*") || f[1].startsWith("*");
    }

    /**
     * Parses an expression; throws {@link IllegalArgumentException} with a message fit for users when
     * it is malformed or can never fire (e.g. {@code 0 0 31 2 *}).
     */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("cron expression is empty");
        }
        String text = expression.strip().replaceAll("\\s+", " ");
        String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        if (expanded.startsWith("@")) {
            throw new IllegalArgumentException("unknown cron macro " + text + " (use @hourly, @daily, @weekly, "
                                                       + "@monthly or @yearly)");
        }
        String[] fields = expanded.split(" ");
        if (fields.length != 5) {
            throw new IllegalArgumentException("cron expression needs 5 fields (minute hour day-of-month month "
                                                       + "day-of-week), got " + fields.length + ": " + text);
        }
        Cron cron = new Cron(text, fields);
        if (cron.next(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC).isEmpty()) {
            throw new IllegalArgumentException("cron expression never fires: " + text);
        }
        return cron;
    }

    /** The expression as given (whitespace normalised). */
    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }

    /** The first time strictly after {@code after} this schedule fires in {@code zone}. */
    public Optional<Instant> next(Instant after, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        // one day back: a gap-shifted or overlap time of yesterday's local date can be after `after`
        LocalDate day = LocalDate.ofInstant(after, zone).minusDays(1);
        for (int i = 0; i < MAX_DAYS; i++, day = day.plusDays(1)) {
            if (!matchesDay(day)) {
                continue;
            }
            Instant best = null;
            for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
                for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                    for (Instant candidate : instants(LocalDateTime.of(day, LocalTime.of(h, m)), rules)) {
                        if (candidate.isAfter(after) && (best == null || candidate.isBefore(best))) {
                            best = candidate;
                        }
                    }
                }
            }
            if (best != null) {
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    /** The instants one local fire time stands for, after the DST rules in the class comment. */
    private List<Instant> instants(LocalDateTime local, ZoneRules rules) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.size() == 1) {
            return List.of(local.toInstant(offsets.getFirst()));
        }
        if (offsets.isEmpty()) {
            if (wallClock) {
                return List.of();
            }
            ZoneOffsetTransition gap = rules.getTransition(local);
            return List.of(gap.getInstant());
        }
        List<Instant> both = new ArrayList<>(2);
        both.add(local.toInstant(offsets.getFirst()));
        if (wallClock) {
            both.add(local.toInstant(offsets.getLast()));
        }
        return both;
    }

    private boolean matchesDay(LocalDate day) {
        if (!months.get(day.getMonthValue())) {
            return false;
        }
        boolean dom = daysOfMonth.get(day.getDayOfMonth());
        boolean dow = daysOfWeek.get(day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue());
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return domRestricted ? dom : !dowRestricted || dow;
    }

    private static BitSet field(String text, String name, int min, int max, List<String> names, int nameBase) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw bad(name, text, "empty list item");
            }
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, text, List.of(), 0);
                if (step < 1) {
                    throw bad(name, text, "step must be at least 1");
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    from = number(range.substring(0, dash), name, text, names, nameBase);
                    to = number(range.substring(dash + 1), name, text, names, nameBase);
                } else {
                    from = number(range, name, text, names, nameBase);
                    // "5/15" means from 5 to the end in steps of 15
                    to = slash >= 0 ? max : from;
                }
            }
            if (from < min || to > max || from > to) {
                throw bad(name, text, "values must be within " + min + "-" + max + (from > to ? " and ranges ascending"
                        : ""));
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String token, String name, String text, List<String> names, int nameBase) {
        int named = names.indexOf(token.toUpperCase(Locale.ROOT));
        if (named >= 0) {
            return named + nameBase;
        }
        if (!token.matches("\\d{1,2}")) {
            throw bad(name, text, "'" + token + "' is not a number" + (names.isEmpty() ? "" : " or a name like "
                    + names.getFirst()));
        }
        return Integer.parseInt(token);
    }

    private static IllegalArgumentException bad(String name, String text, String why) {
        return new IllegalArgumentException("invalid cron " + name + " field '" + text + "': " + why);
    }
}
