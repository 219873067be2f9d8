package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Backup hooks (docs/API.md, "Hooks"): shell scripts the agent runs as root before and after a backup. A backup
 * schedule may have its own ({@link HostScheduleRoutes}); a host has defaults, run by every backup without hooks of its
 * own, and the shell and timeout every hook of the host runs with (the "Backup hooks" card on the host page, saved by
 * {@link HostPage}). Only admins see or change the text; everyone sees whether one is set. Forms send a hook only
 * when the admin changed it: each carries the text it was shown with ({@code was_…}), and an emptied hook is sent as
 * null (cleared).
 */
final class Hooks {
    /** Longest hook the API takes (characters). */
    static final int MAX_CHARS = 16 * 1024;
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    private Hooks() {
    }

    /** Whether a hook is set, in the words of the read-only line non-admins get. */
    record State(boolean hasPreHook, boolean hasPostHook) {
        static final State NONE = new State(false, false);

        static State of(JsonNode node) {
            return new State(node.path("has_pre_hook").asBoolean(false), node.path("has_post_hook").asBoolean(false));
        }

        String pre() {
            return hasPreHook ? "set" : "none";
        }

        String post() {
            return hasPostHook ? "set" : "none";
        }

        boolean any() {
            return hasPreHook || hasPostHook;
        }

        /** The schedule row's badge title: which hooks it runs, or null for none. */
        String label() {
            if (hasPreHook && hasPostHook) {
                return "Runs a pre- and a post-backup hook";
            }
            if (hasPreHook) {
                return "Runs a pre-backup hook";
            }
            return hasPostHook ? "Runs a post-backup hook" : null;
        }
    }

    /** The host's default hooks form as the admin filled it in, with the values it was shown with. */
    record HostForm(String preHook, String postHook, String shell, String timeoutS, String wasPreHook,
                    String wasPostHook, String wasShell, String wasTimeoutS) {
        static HostForm read(Form f) {
            return new HostForm(f.raw("pre_hook"), f.raw("post_hook"), f.get("hook_shell"), f.get("hook_timeout_s"),
                                f.raw("was_pre_hook"), f.raw("was_post_hook"), f.get("was_hook_shell"),
                                f.get("was_hook_timeout_s"));
        }

        /** The stored hooks as the form shows them (the text is there for admins only). */
        static HostForm of(JsonNode hooks) {
            String pre = Nodes.text(hooks, "pre_hook", "");
            String post = Nodes.text(hooks, "post_hook", "");
            String shell = shellText(hooks);
            String timeout = timeoutText(hooks);
            return new HostForm(pre, post, shell, timeout, pre, post, shell, timeout);
        }
    }

    /**
     * The host page's "Backup hooks" card: whether default hooks are set, the shell and timeout; for admins the form
     * ({@code open} after a problem, so the input is in view).
     */
    record HostCard(boolean known, State state, String shell, String timeout, HostForm form,
                    Views.ProblemView problem, String saved) {
        boolean hasPreHook() {
            return state.hasPreHook();
        }

        boolean hasPostHook() {
            return state.hasPostHook();
        }

        boolean open() {
            return problem != null;
        }
    }

    /** The message after saving the host's hooks ({@code ?saved=…}), or null. */
    static String savedMessage(String saved) {
        return switch (saved == null ? "" : saved) {
            case "hooks" -> "Default hooks saved; they apply from the next backup.";
            case "hooks-unchanged" -> "Nothing changed.";
            default -> null;
        };
    }

    /**
     * The card for a whole host page: one {@code GET /api/hosts/{id}/hooks}. {@code kept} and {@code problem}: the
     * admin's input to show again with what went wrong (null: the stored values). Left out (null) when that call
     * fails, unless there is a problem to show.
     */
    static HostCard card(GatewayApi api, Session session, String hostId, String saved, HostForm kept,
                         Views.ProblemView problem) {
        JsonNode hooks;
        try {
            hooks = api.get(session, "/api/hosts/" + Urls.enc(hostId) + "/hooks");
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            if (problem == null) {
                // an API without hooks, or they cannot be read right now: the rest of the page still works
                return null;
            }
            return new HostCard(false, State.NONE, "", "", kept, problem, null);
        }
        HostForm form = kept != null ? kept : session.admin() ? HostForm.of(hooks) : null;
        return new HostCard(true, State.of(hooks), shellText(hooks), timeoutLabel(hooks), form, problem,
                            savedMessage(saved));
    }

    /**
     * The {@code PUT /api/hosts/{id}/hooks} body: only the fields the admin changed (an emptied hook, shell or timeout
     * as null: no hook, the default shell, the default timeout). Empty when nothing changed. Checked here first the way
     * the API checks it.
     */
    static Map<String, Object> hostBody(HostForm f) {
        Map<String, Object> body = new LinkedHashMap<>();
        putChanged(body, "pre_hook", script(f.preHook(), "The pre-backup hook"), script(f.wasPreHook(), null));
        putChanged(body, "post_hook", script(f.postHook(), "The post-backup hook"), script(f.wasPostHook(), null));
        List<String> shell = shell(f.shell());
        if (!Objects.equals(shell, words(f.wasShell()))) {
            body.put("hook_shell", shell == null ? JobFields.CLEAR : shell);
        }
        Integer timeout = timeout(f.timeoutS());
        if (!Objects.equals(timeout == null ? "" : String.valueOf(timeout), f.wasTimeoutS())) {
            body.put("hook_timeout_s", timeout == null ? JobFields.CLEAR : timeout);
        }
        return body;
    }

    /**
     * A schedule's hooks into its API body (kind backup, admins only). Adding sends the hooks filled in. Editing
     * sends a hook only when it differs from the text the form was shown with, an emptied one as null (cleared);
     * a form without the hook fields (not an admin's) sends none, and the API keeps them.
     */
    static void putScheduleHooks(Form form, Map<String, Object> body, boolean edit) {
        for (String[] hook : new String[][] {{"pre_hook", "The pre-backup hook"}, {"post_hook", "The post-backup hook"}}) {
            if (!form.has(hook[0])) {
                continue;
            }
            String text = script(form.raw(hook[0]), hook[1]);
            if (!edit) {
                if (text != null) {
                    body.put(hook[0], text);
                }
            } else {
                putChanged(body, hook[0], text, script(form.raw("was_" + hook[0]), null));
            }
        }
    }

    private static void putChanged(Map<String, Object> body, String field, String now, String was) {
        if (!Objects.equals(now, was)) {
            body.put(field, now == null ? JobFields.CLEAR : now);
        }
    }

    /**
     * A hook as typed, with line breaks as {@code \n}: browsers send a textarea's as {@code \r\n}, and the shell would
     * take each {@code \r} as part of a command. Null when blank (no hook). {@code label}: checked (too long, NUL).
     */
    static String script(String raw, String label) {
        String text = raw == null ? "" : raw.replace("\r\n", "\n").replace('\r', '\n');
        if (text.isBlank()) {
            return null;
        }
        if (label != null && text.length() > MAX_CHARS) {
            throw new Form.Invalid(label + " is " + text.length() + " characters long; the most is " + MAX_CHARS
                                           + " (16 KiB). Put a longer script in a file on the host and call it.");
        }
        if (label != null && text.indexOf('\0') >= 0) {
            throw new Form.Invalid(label + " contains a NUL character, which no shell passes on.");
        }
        return text;
    }

    /** "/bin/sh -c" into ["/bin/sh", "-c"]: an absolute program and at most three arguments; empty = the default. */
    static List<String> shell(String text) {
        List<String> shell = words(text);
        if (shell == null) {
            return null;
        }
        if (!shell.getFirst().startsWith("/")) {
            throw new Form.Invalid("The hook shell starts with the program's absolute path, like /bin/sh -c.");
        }
        if (shell.size() > 4) {
            throw new Form.Invalid("The hook shell is a program and at most three arguments, like /bin/bash -e -c.");
        }
        if (shell.stream().anyMatch(part -> part.length() > 256)) {
            throw new Form.Invalid("Each part of the hook shell is at most 256 characters.");
        }
        return shell;
    }

    private static List<String> words(String text) {
        String trimmed = text == null ? "" : text.trim();
        return trimmed.isEmpty() ? null : List.of(trimmed.split("\\s+"));
    }

    private static Integer timeout(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            int s = Integer.parseInt(text);
            if (s < 1 || s > 86_400) {
                throw new Form.Invalid("The hook timeout must be from 1 to 86400 seconds (one day).");
            }
            return s;
        } catch (NumberFormatException e) {
            throw new Form.Invalid("The hook timeout must be whole seconds, from 1 to 86400.");
        }
    }

    private static String shellText(JsonNode hooks) {
        List<String> shell = Nodes.strings(hooks, "hook_shell");
        return String.join(" ", shell.isEmpty() ? DEFAULT_SHELL : shell);
    }

    private static String timeoutText(JsonNode hooks) {
        OptionalLong s = Nodes.number(hooks, "hook_timeout_s");
        return s.isPresent() ? String.valueOf(s.getAsLong()) : "600";
    }

    /** "600 s (10 min)". */
    private static String timeoutLabel(JsonNode hooks) {
        long s = Long.parseLong(timeoutText(hooks));
        String seconds = s + " s";
        return s < 60 ? seconds : seconds + " (" + Format.duration(java.time.Duration.ofSeconds(s)) + ")";
    }
}
