package io.resticmanager.ui;

/** What the admin pages (users, API tokens, audit log) share: their tabs, the refusal, role words. */
final class Admin {
    private Admin() {
    }

    static final Views.ProblemView ADMINS_ONLY = new Views.ProblemView("Admins only",
            "Users, API tokens and the audit log need the admin role.");

    /** Which admin tab is current. */
    record Tabs(boolean onUsers, boolean onTokens, boolean onAudit) {
        static Tabs users() {
            return new Tabs(true, false, false);
        }

        static Tabs tokens() {
            return new Tabs(false, true, false);
        }

        static Tabs audit() {
            return new Tabs(false, false, true);
        }
    }

    static String roleLabel(String role) {
        return switch (role == null ? "" : role) {
            case "viewer" -> "Viewer: reads everything, changes nothing";
            case "operator" -> "Operator: also runs jobs, restores, edits schedules";
            case "admin" -> "Admin: everything, users and settings included";
            default -> role;
        };
    }
}
