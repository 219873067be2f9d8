package io.resticmanager.system;

import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/** The fuzzer's dictionaries: hostile path segments, query values, JSON values and header values. */
final class FuzzValues {
    private FuzzValues() {
    }

    static final String TEN_KB = "a".repeat(10 * 1024);

    /** Path segments that break parsers, escape checks or lookups. */
    static final List<String> SEGMENTS = List.of(
            "..", "%2e%2e", "%2E%2E", ".", "%2e", "%00", "a%00b", "%2f", "%2F..%2F", "%5c", "..%2f..%2f", "%ff", "%",
            "%zz", "%c0%ae%c0%ae", "ü", "%C3%BC", "日本", "🙂", "%F0%9F%99%82", "%ED%A0%80", TEN_KB, "", "null",
            "undefined", "-1", "0", "99999999999999999999999", "1e9", "'%20OR%201=1%20--", "%3Cscript%3E", "<x>",
            "${jndi:ldap:%2F%2Fx}", "~root", ";", "a;b=c", "*", "%20", "+", "%09", "%0d%0aX-Injected:%201", "CON",
            "con.json", "index.html", "...", "%252e%252e", "%5c..%5c", "\\", "a b", "%u002e", "{id}", "[]", "@",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%22", "'", "`", "|", "$(id)");

    static final List<String> QUERY_KEYS = List.of(
            "limit", "cursor", "after_seq", "host_id", "status", "kind", "repo_id", "path", "subject", "since",
            "until", "user", "action", "target", "channel_id", "include", "mode", "tag", "q", "snapshot_id",
            "filter_host", "filter_state", "page", "rule", "state", "offset", "before", "sort", "_csrf");

    static final List<String> QUERY_VALUES = List.of(
            "-1", "0", "1", "1e9", "99999999999999999999", "-99999999999999999999", "NaN", "Infinity", "0x10", "%201",
            "1.5", "", "+1", "1,2", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", TEN_KB,
            "%00", "%", "%zz", "%C3%BC", "ü", "日本", "true", "null", "[]", "{}", "*", "..", "%2e%2e%2f", "/",
            "/etc/passwd", "2024-02-30T25:61:61Z", "2024-01-01T00:00:00Z", "1970-01-01", "+999999999-12-31T23:59:59Z",
            "progress", "progress,x", "running", "backup", "host:{{host_a}}", "{{host_a}}", "{{repo}}", "{{job}}",
            "{{snapshot}}", "{{channel}}", "%27", "%22%3E%3Cx%3E");

    /** JSON values (as JSON text) for any field: wrong types, extremes, encodings. */
    static final List<String> JSON_VALUES = List.of(
            "null", "true", "false", "0", "-1", "1.5", "-0", "1e400", "-1e400", "1e-400", "9223372036854775808",
            "-9223372036854775809", "2147483648", "123456789012345678901234567890", "0.0000001", "\"\"", "\" \"",
            "\"\\u0000\"", "\"a\\u0000b\"", "\"ü日本🙂\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "[]", "[1,2,3]", "[null]",
            "[\"a\",{}]", "{}", "{\"a\":1}", "\"../../etc/passwd\"", "\"%00\"", "\"${jndi:ldap://x/a}\"",
            "\"<script>alert(1)</script>\"", "\"0000-00-00\"", "\"2024-02-30T25:61:61Z\"", "\"* * * * *\"",
            "\"99999 * * * *\"", "\"@every 1s\"", "\"Europe/Nowhere\"", "\"-1d\"", "\"1000000000%\"", "\"NaN\"",
            "\"admin\"", "\"operator\"", "\"viewer\"", "\"root\"", "\"webhook\"", "\"email\"", "\"backup\"",
            "\"prune\"", "\"forget\"", "\"copy\"", "\"drill\"", "\"restore\"", "\"/\"", "\"relative/path\"",
            "\"sftp:-oProxyCommand=x:/srv\"", "\"http://169.254.169.254/latest\"", "\"file:///etc/passwd\"",
            "9223372036854775807", "-9223372036854775808", "\"2300-01-01T00:00:00Z\"", "\"1600-01-01T00:00:00Z\"",
            "\"+1000000000-12-31T23:59:59Z\"", "\"-1000000000-01-01T00:00:00Z\"", "\"1970-01-01T00:00:00Z\"",
            "\"2025-06-01T12:00:00+14:00\"", "\"{{host_a}}\"", "\"{{host_b}}\"", "\"{{repo}}\"", "\"{{repo2}}\"", "\"{{job}}\"", "\"{{snapshot}}\"",
            "\"{{schedule}}\"", "\"{{alert}}\"", "\"{{channel}}\"", "\"{{user}}\"", "\"host:{{host_a}}\"",
            "\"schedule:{{schedule}}\"", "\"" + "x".repeat(10 * 1024) + "\"", "\"\\n\\r\\t\"", "\"\\\"\\\\\"");

    static final List<String> CONTENT_TYPES = List.of(
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
            "application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/xml", "*/*", "",
            "garbage;;;", "application/json, text/plain", "application/problem+json", "application/json; charset=",
            "application/JSON", "text/html; charset=utf-8", "application/octet-stream", "a/b/c");

    static final List<String> RULES = List.of("backup_failed", "check_failed", "maintenance_failed", "host_offline",
                                              "rpo_breached", "agent_outdated", "repo_locked", "drill_failed", "nope");

    static final List<String> FORM_FIELDS = List.of(
            "action", "alert_id", "channel_id", "channel_name", "confirm", "cron", "cron_preset", "dry_run",
            "duration_s", "enabled", "expires_in_s", "filter_host", "filter_state", "from", "hook_shell",
            "hook_timeout_s", "host_id", "keep_daily", "keep_hourly", "keep_last", "keep_monthly", "keep_tags",
            "keep_weekly", "keep_within", "keep_yearly", "kind", "limit_download_kib", "limit_upload_kib",
            "maintenance_host_id", "min_severity", "name", "offline_lease_days", "offline_lease_on_disk", "paths",
            "prune", "read_data_subset", "reason", "renotify", "renotify_unit", "repo_id", "role", "root", "rule",
            "rules", "schedule_id", "setup_token", "severity", "silence_id", "smtp_host", "smtp_port", "snapshot_id",
            "subject", "tags", "target_dir", "target_host_id", "target_kind", "threshold", "threshold_unit",
            "timezone", "tls", "to", "topic", "url", "username", "password", "was_enabled", "was_hook_shell",
            "was_hook_timeout_s", "was_offline_lease_days", "was_offline_lease_on_disk", "was_severity",
            "was_threshold_s", "was_renotify_s", "pre_hook", "post_hook", "primary", "sample_files", "max_bytes");

    /** The UI forms' own action names. */
    static final List<String> FORM_ACTIONS = List.of(
            "ack", "add", "backup", "check", "copy", "create", "delete", "delete_override", "disable", "edit", "enable",
            "forget", "hooks", "lease", "maintenance", "override", "prune", "repo", "repo-link", "repo-unlink",
            "resolve", "rule", "settings", "silence", "test", "unlock", "unsilence", "original", "drill", "x");

    static final List<String> FORM_VALUES = List.of(
            "", "1", "-1", "0", "99999999999999999999", "yes", "on", "true", "backup", "prune", "forget", "check",
            "unlock", "copy", "drill", "delete", "disable", "enable", "revoke", "ack", "resolve", "test", "webhook",
            "email", "ntfy", "critical", "%00", "%", "%zz", "%C3%BC", "0+3+*+*+*", "*+*+*+*+*", "UTC", "Nowhere",
            "%2Fsrv", "..%2F..", "{{host_a}}", "{{host_b}}", "{{repo}}", "{{repo2}}", "{{job}}", "{{snapshot}}",
            "{{schedule}}", "{{alert}}", "{{channel}}", "{{silence}}", TEN_KB, "http%3A%2F%2F127.0.0.1%3A9%2Fh",
            "minutes", "hours", "days", "none", "starttls");

    /** Times that parse but sit at the edges: beyond what nanoseconds in a long hold, offsets, the epoch. */
    static final List<String> TIMES = List.of(
            "\"2300-01-01T00:00:00Z\"", "\"1600-01-01T00:00:00Z\"", "\"+1000000000-12-31T23:59:59Z\"",
            "\"-1000000000-01-01T00:00:00Z\"", "\"1970-01-01T00:00:00Z\"", "\"2025-06-01T12:00:00+14:00\"",
            "\"2025-06-01\"", "\"2025-13-01T00:00:00Z\"", "\"2024-02-29T24:00:00Z\"", "\"\"", "0", "-1",
            "9223372036854775807", "\"9999-12-31T23:59:59.999999999Z\"");

    /** Numbers at and past every boundary a long, an int or a duration has. */
    static final List<String> NUMBERS = List.of(
            "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "1e308", "1e400", "-1e400", "1.5", "0.1", "1e-400", "-0", "4294967296", "86401",
            "31536000000", "100", "101", "\"1\"", "true", "null");

    /** A hostile value for a field, usually one of its own kind (a time for "…_at", a number for "seq"). */
    static String hostileFor(SplittableRandom r, String field) {
        boolean time = field.endsWith("_at") || List.of("time", "ts", "until", "since", "mtime").contains(field);
        boolean number = field.endsWith("_s") || field.endsWith("_kib") || field.endsWith("_days")
                || field.startsWith("keep_") || field.startsWith("total") || field.startsWith("files")
                || field.startsWith("bytes") || List.of("seq", "percent", "size", "part", "parts", "exit_code",
                "last_seq", "up_to_seq", "smtp_port", "protocol_version", "data_added", "sample_files", "max_bytes")
                .contains(field);
        if (chance(r, 0.6) && (time || number)) {
            return pick(r, time ? TIMES : NUMBERS);
        }
        return pick(r, JSON_VALUES);
    }

    static String uuid(SplittableRandom r) {
        return new UUID(r.nextLong(), r.nextLong()).toString();
    }

    static <T> T pick(SplittableRandom r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    static boolean chance(SplittableRandom r, double p) {
        return r.nextDouble() < p;
    }
}
