package io.resticmanager.gateway;

/** One audit row: who did what to which target, when, from where, and how it ended. */
record AuditEntry(String at, String user, String action, String target, int status, String result, String sourceIp) {
    /** "ok" for 1xx-3xx, "denied" for 401/403/429, "failed" for everything else. */
    static String result(int status) {
        if (status < 400) {
            return "ok";
        }
        return status == 401 || status == 403 || status == 429 ? "denied" : "failed";
    }
}
