package io.resticmanager.kit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the two kinds of SQL resource a service ships: migrations (a script of statements) and named statements
 * ({@code -- name: x} above each). Statements end at a {@code ;} outside quotes and comments; a
 * {@code CREATE TRIGGER} ends only at the {@code END;} of its body, so triggers may span lines and hold
 * {@code ;} of their own.
 */
public final class SqlScript {
    private static final Pattern TRIGGER = Pattern.compile("^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b",
                                                           Pattern.CASE_INSENSITIVE);
    private static final Pattern OPENS = Pattern.compile("\\b(BEGIN|CASE)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLOSES = Pattern.compile("\\bEND\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("^--\\s*name:\\s*([a-z0-9][a-z0-9._-]*)\\s*$");

    private SqlScript() {
    }

    /** The statements of a script, in order, without their terminating {@code ;} and without comment-only parts. */
    public static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        StringBuilder code = new StringBuilder(); // the statement without comments, to recognise triggers
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end;
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`' || c == '[') {
                char close = c == '[' ? ']' : c;
                int end = i + 1;
                while (end < n) {
                    if (script.charAt(end) == close) {
                        if (close != ']' && end + 1 < n && script.charAt(end + 1) == close) {
                            end += 2; // doubled quote inside the literal
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, n);
                current.append(script, i, end);
                code.append("''"); // a literal's words never open or close a block
                i = end;
                continue;
            }
            if (c == ';') {
                if (!TRIGGER.matcher(code).find() || triggerComplete(code)) {
                    add(out, current, code);
                    current.setLength(0);
                    code.setLength(0);
                    i++;
                    continue;
                }
            }
            current.append(c);
            code.append(c);
            i++;
        }
        add(out, current, code);
        return out;
    }

    /** A trigger's body ends when every BEGIN (and CASE) in it has met its END. */
    private static boolean triggerComplete(CharSequence code) {
        long opens = OPENS.matcher(code).results().count();
        long closes = CLOSES.matcher(code).results().count();
        return opens > 0 && opens == closes;
    }

    private static void add(List<String> out, StringBuilder statement, StringBuilder code) {
        if (!code.toString().isBlank()) {
            out.add(statement.toString().strip());
        }
    }

    /**
     * Named statements: each starts with a {@code -- name: some.name} line and holds one statement. Names are
     * lower case; a duplicate or a name without a statement is a build error, reported at start-up.
     */
    public static Map<String, String> named(String text, String source) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            Matcher m = NAME.matcher(line.strip());
            if (m.matches()) {
                put(out, name, body, source);
                name = m.group(1).toLowerCase(Locale.ROOT);
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            } else if (!line.isBlank() && !line.strip().startsWith("--")) {
                throw new IllegalStateException(source + ": SQL before the first \"-- name:\" line");
            }
        }
        put(out, name, body, source);
        return out;
    }

    private static void put(Map<String, String> out, String name, StringBuilder body, String source) {
        if (name == null) {
            return;
        }
        List<String> statements = statements(body.toString());
        if (statements.size() != 1) {
            throw new IllegalStateException(source + ": statement " + name + " must hold exactly one SQL statement, has "
                                                    + statements.size());
        }
        if (out.put(name, statements.getFirst()) != null) {
            throw new IllegalStateException(source + ": statement " + name + " is defined twice");
        }
    }
}
