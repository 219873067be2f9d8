package io.resticmanager.system;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The base query of an alerting rule written as {@code <query> <comparison> <threshold>}, as
 * deploy/prometheus/alerts.yml writes every rule: the part left of the last comparison outside brackets and
 * strings. That part is what must return data on a healthy installation (the whole rule is empty until it fires).
 */
final class RuleBase {
    private static final Pattern SET_OPERATOR = Pattern.compile("\\b(and|or|unless)\\b");

    private RuleBase() {
    }

    /** @throws IllegalArgumentException for a rule that joins conditions with and/or/unless (no single base) */
    static String of(String expr) {
        String top = topLevel(expr);
        Matcher set = SET_OPERATOR.matcher(top);
        if (set.find()) {
            throw new IllegalArgumentException("\"" + set.group() + "\" joins two conditions, there is no one base: "
                    + expr);
        }
        int cut = -1;
        for (int i = 0; i < top.length(); i++) {
            char c = top.charAt(i);
            char next = i + 1 < top.length() ? top.charAt(i + 1) : 0;
            if (c == '<' || c == '>' || (c == '=' || c == '!') && next == '=') {
                cut = i;
                if (next == '=') {
                    i++;
                }
            }
        }
        return (cut < 0 ? expr : expr.substring(0, cut)).strip();
    }

    /** The expression with everything inside brackets and quotes blanked out (same length, same positions). */
    private static String topLevel(String expr) {
        StringBuilder out = new StringBuilder(expr.length());
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            boolean inside = quote != 0 || depth > 0;
            if (quote != 0) {
                if (c == '\\' && i + 1 < expr.length()) {
                    out.append("  ");
                    i++;
                    continue;
                }
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                quote = c;
                inside = true;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
                inside = true;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            }
            out.append(inside ? ' ' : c);
        }
        return out.toString();
    }
}
