package io.resticmanager.agent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it leaves the process (logs, job logs, errors, command lines):
 * known secret values become {@code ***} and URL user-info ({@code user:pass@}) is masked.
 */
final class Redactor {
    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");
    /** Shorter values are too likely to appear in normal text to be masked blindly. */
    private static final int MIN_SECRET_LENGTH = 4;

    private final List<String> secrets;

    /**
     * @param passwords masked whatever their length (a repository password is never ordinary text)
     * @param secrets   other values that may be keys (backend variables), masked from {@value #MIN_SECRET_LENGTH}
     *                  characters on
     */
    Redactor(Collection<String> passwords, Collection<String> secrets) {
        List<String> list = new ArrayList<>();
        for (String p : passwords) {
            if (p != null && !p.isEmpty()) {
                list.add(p);
            }
        }
        for (String s : secrets) {
            if (s != null && s.length() >= MIN_SECRET_LENGTH) {
                list.add(s);
            }
        }
        // longest first, so a secret containing another is masked whole
        list.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(list);
    }

    String apply(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "***");
        }
        return USER_INFO.matcher(out).replaceAll("$1***@");
    }
}
