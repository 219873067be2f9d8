package io.resticmanager.proto;

import java.util.List;

/**
 * A backup's pre/post hooks as the agent runs them: {@code shell} + the hook text as its last argument (default
 * {@code /bin/sh -c}), each hook stopped after {@code timeoutS}. Hooks may hold database credentials: they travel in
 * memory only, like repository secrets, and {@link #toString()} never shows them.
 */
public record Hooks(String pre, String post, List<String> shell, Integer timeoutS) {
    public static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    public static final int DEFAULT_TIMEOUT_S = 600;
    /** Longest hook text accepted anywhere (API, agent). */
    public static final int MAX_HOOK_CHARS = 16 * 1024;

    public Hooks {
        pre = blankToNull(pre);
        post = blankToNull(post);
        shell = shell == null || shell.isEmpty() ? DEFAULT_SHELL : List.copyOf(shell);
        timeoutS = timeoutS == null ? DEFAULT_TIMEOUT_S : timeoutS;
        checkHook(pre, "pre_hook");
        checkHook(post, "post_hook");
        checkShell(shell);
        if (timeoutS < 1 || timeoutS > 86_400) {
            throw new IllegalArgumentException("hook_timeout_s must be 1..86400 seconds");
        }
    }

    /** Whether there is anything to run. */
    public boolean any() {
        return pre != null || post != null;
    }

    /** Refuses a hook that is too long or carries a NUL (no shell passes one on). */
    public static void checkHook(String hook, String field) {
        if (hook != null && (hook.length() > MAX_HOOK_CHARS || hook.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_HOOK_CHARS
                                                       + " characters without NUL");
        }
    }

    /**
     * A shell is an absolute program path (POSIX, or a Windows drive or UNC path for a Windows host's PowerShell) and
     * at most three fixed arguments, none blank or with NUL.
     */
    public static void checkShell(List<String> shell) {
        if (shell.isEmpty() || shell.size() > 4 || !Checks.absolutePath(shell.getFirst())) {
            throw new IllegalArgumentException("hook_shell must be an absolute program path and at most three "
                                                       + "arguments, e.g. [\"/bin/sh\", \"-c\"] or [\"C:\\\\Windows"
                                                       + "\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe\", "
                                                       + "\"-NoProfile\", \"-Command\"]");
        }
        for (String part : shell) {
            if (part == null || part.isBlank() || part.length() > 256 || part.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("hook_shell parts must be non-blank, at most 256 characters");
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        return "Hooks[pre=" + (pre == null ? "none" : "***") + ", post=" + (post == null ? "none" : "***")
                + ", shell=" + shell + ", timeoutS=" + timeoutS + "]";
    }
}
