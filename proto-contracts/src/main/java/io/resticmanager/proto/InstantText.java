package io.resticmanager.proto;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * An instant as {@link Instant#toString()} writes it (RFC 3339 in UTC, the fraction in groups of three digits, none
 * when zero), without the formatter's per-call machinery: one directory listing carries 10,000 mtimes, and
 * {@code DateTimeFormatter} made up 40 % of writing it. Years outside 1970–9999 take {@link Instant#toString()}.
 */
final class InstantText {
    /** 10000-01-01T00:00:00Z. */
    private static final long END = 253_402_300_800L;

    private InstantText() {
    }

    static String of(Instant t) {
        long sec = t.getEpochSecond();
        if (sec < 0 || sec >= END) {
            return t.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(sec / 86_400);
        int inDay = (int) (sec % 86_400);
        int nano = t.getNano();
        char[] out = new char[30];
        int i = digits(out, 0, date.getYear(), 4);
        out[i++] = '-';
        i = digits(out, i, date.getMonthValue(), 2);
        out[i++] = '-';
        i = digits(out, i, date.getDayOfMonth(), 2);
        out[i++] = 'T';
        i = digits(out, i, inDay / 3600, 2);
        out[i++] = ':';
        i = digits(out, i, inDay / 60 % 60, 2);
        out[i++] = ':';
        i = digits(out, i, inDay % 60, 2);
        if (nano != 0) {
            out[i++] = '.';
            if (nano % 1_000_000 == 0) {
                i = digits(out, i, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                i = digits(out, i, nano / 1_000, 6);
            } else {
                i = digits(out, i, nano, 9);
            }
        }
        out[i++] = 'Z';
        return new String(out, 0, i);
    }

    private static int digits(char[] out, int at, int value, int width) {
        for (int k = at + width - 1; k >= at; k--) {
            out[k] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    /** Writes instants with {@link #of} (registered after the Java time module, so it wins). */
    static final class Serializer extends StdSerializer<Instant> {
        Serializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(of(value));
        }
    }
}
