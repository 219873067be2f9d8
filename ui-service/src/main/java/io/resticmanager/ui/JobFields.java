package io.resticmanager.ui;

import com.fasterxml.jackson.databind.node.NullNode;
import io.resticmanager.proto.Checks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job parameters that run-now ({@link HostActionRoutes}) and schedules ({@link HostScheduleRoutes}) both take,
 * read from a form into the API's field names and checked the way jobs-service checks them, so most mistakes
 * are shown next to the form before anything is sent. An empty optional field is left out of the JSON.
 */
final class JobFields {
    /** restic forget's counting rules, as the API names them, with their form labels. */
    static final List<String[]> KEEP_COUNTS = List.of(
            new String[] {"keep_last", "Keep last"}, new String[] {"keep_hourly", "Keep hourly"},
            new String[] {"keep_daily", "Keep daily"}, new String[] {"keep_weekly", "Keep weekly"},
            new String[] {"keep_monthly", "Keep monthly"}, new String[] {"keep_yearly", "Keep yearly"});
    /**
     * "Remove this field" in a PATCH body: jobs-service merges a PATCH onto the stored schedule, so a field left
     * out keeps its old value and only an explicit null clears it. A plain Java null would be dropped by the
     * shared mapper (nulls omitted), a NullNode is written as {@code null}.
     */
    static final Object CLEAR = NullNode.getInstance();

    private JobFields() {
    }

    /**
     * forget's {@code policy}: every keep rule filled in, {@code keep_tags} and {@code prune}. At least one keep
     * rule is required: without one, restic forget would remove every snapshot.
     */
    static Map<String, Object> policy(Form form) {
        Map<String, Object> policy = new LinkedHashMap<>();
        for (String[] rule : KEEP_COUNTS) {
            Integer n = form.positive(rule[0], rule[1]);
            if (n != null) {
                policy.put(rule[0], n);
            }
        }
        String within = form.get("keep_within");
        if (!within.isEmpty()) {
            if (!Checks.keepWithin(within)) {
                throw new Form.Invalid("Keep within looks like 1y6m, 30d or 12h (numbers with y, m, d or h).");
            }
            policy.put("keep_within", within);
        }
        List<String> keepTags = form.words("keep_tags");
        if (!keepTags.isEmpty()) {
            policy.put("keep_tags", keepTags);
        }
        if (policy.isEmpty()) {
            throw new Form.Invalid("Set at least one keep rule; without one, forget would remove every snapshot.");
        }
        if (form.checked("prune")) {
            policy.put("prune", true);
        }
        return policy;
    }

    /** Upload and download limits in KiB/s (whole numbers ≥ 1); empty ones left out, or cleared when {@code clear}. */
    static void putLimits(Form form, Map<String, Object> body, boolean clear) {
        put(body, "limit_upload_kib", form.positive("limit_upload_kib", "Upload limit"), clear);
        put(body, "limit_download_kib", form.positive("limit_download_kib", "Download limit"), clear);
    }

    /** check's {@code read_data_subset}, or null when left empty. */
    static String subset(Form form) {
        String subset = form.get("read_data_subset");
        if (subset.isEmpty()) {
            return null;
        }
        if (!Checks.readDataSubset(subset)) {
            throw new Form.Invalid("Read-data subset is a percentage (10%), a fraction (1/5) or a size (500M).");
        }
        return subset;
    }

    /** Puts a value that is set (non-null, non-empty list); an unset one is left out, or cleared when {@code clear}. */
    static void put(Map<String, Object> body, String field, Object value, boolean clear) {
        if (value != null && !(value instanceof List<?> list && list.isEmpty())) {
            body.put(field, value);
        } else if (clear) {
            body.put(field, CLEAR);
        }
    }

    /**
     * A backup's paths (required: else {@code noPaths}), excludes, tags, bandwidth limits and Windows VSS, as the API
     * names them. Empty optional fields are left out; with {@code clear} (a schedule's PATCH) they are sent as null to
     * remove them, an unticked VSS box as false.
     */
    static void putBackupParams(Form form, Map<String, Object> body, String noPaths, boolean clear) {
        List<String> paths = form.lines("paths");
        if (paths.isEmpty()) {
            throw new Form.Invalid(noPaths);
        }
        body.put("paths", paths);
        put(body, "excludes", form.lines("excludes"), clear);
        put(body, "tags", form.words("tags"), clear);
        putLimits(form, body, clear);
        // restic --use-fs-snapshot; an agent that is not on Windows fails the job and says so
        if (form.checked("use_fs_snapshot")) {
            body.put("use_fs_snapshot", true);
        } else if (clear) {
            body.put("use_fs_snapshot", false);
        }
    }
}
