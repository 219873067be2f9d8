package io.resticmanager.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forms of a host's actions tab ({@link HostActionRoutes}): what each form holds (kept when it comes back with a
 * problem), the second step of a destructive action, and the job body each run-now form posts.
 */
final class HostActionForms {
    private HostActionForms() {
    }

    record BackupForm(String paths, String excludes, String tags, String limitUploadKib, String limitDownloadKib,
                      boolean useFsSnapshot) {
        static final BackupForm EMPTY = new BackupForm("", "", "", "", "", false);
    }

    record ForgetForm(String keepLast, String keepHourly, String keepDaily, String keepWeekly, String keepMonthly,
                      String keepYearly, String keepWithin, String keepTags, boolean prune) {
        static final ForgetForm EMPTY = new ForgetForm("", "", "7", "4", "6", "", "", "", false);
    }

    record Hidden(String name, String value) {
    }

    /** The second step of a destructive action: what will happen, and the button that really does it. */
    record Confirm(String action, String title, String message, List<String> details, List<Hidden> fields,
                   String button) {
        boolean hasDetails() {
            return !details.isEmpty();
        }

        /** Forget can be previewed first: restic forget --dry-run lists what it would remove, deleting nothing. */
        boolean preview() {
            return action.equals("forget");
        }
    }

    record SettingsForm(String name, String tags) {
    }

    /** The restore drill form: how many files, at most how many MiB, and (admins) on which host. */
    record DrillForm(String sampleFiles, String maxMib, String targetHostId) {
        static final DrillForm EMPTY = new DrillForm("20", "256", "");
    }

    /** A run-now drill: the sample's size and byte cap, the repository (several) and the host that restores it. */
    static Map<String, Object> drillBody(Form form) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "drill");
        Integer files = form.between("sample_files", "Files to sample", 1, 1000);
        if (files != null) {
            body.put("sample_files", files);
        }
        Integer mib = form.between("max_mib", "Size cap", 1, 65536);
        if (mib != null) {
            body.put("max_bytes", (long) mib << 20);
        }
        if (!form.get("target_host_id").isEmpty()) {
            body.put("target_host_id", form.get("target_host_id"));
        }
        if (!form.get("repo_id").isEmpty()) {
            body.put("repo_id", form.get("repo_id"));
        }
        return body;
    }

    static Map<String, Object> backupBody(Form form) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "backup");
        JobFields.putBackupParams(form, body, "Enter at least one path to back up (one per line).", false);
        return body;
    }

    static ForgetForm forgetForm(Form form) {
        return new ForgetForm(form.get("keep_last"), form.get("keep_hourly"), form.get("keep_daily"),
                              form.get("keep_weekly"), form.get("keep_monthly"), form.get("keep_yearly"),
                              form.get("keep_within"), form.get("keep_tags"), form.checked("prune"));
    }

    static Map<String, Object> forgetBody(Form form) {
        return Map.of("kind", "forget", "policy", JobFields.policy(form));
    }

    static Confirm forgetConfirm(ForgetForm f) {
        List<String> details = new ArrayList<>();
        List<Hidden> fields = new ArrayList<>();
        String[][] values = {{"keep_last", "Keep the last", f.keepLast(), "snapshots"},
                {"keep_hourly", "Keep", f.keepHourly(), "hourly snapshots"},
                {"keep_daily", "Keep", f.keepDaily(), "daily snapshots"},
                {"keep_weekly", "Keep", f.keepWeekly(), "weekly snapshots"},
                {"keep_monthly", "Keep", f.keepMonthly(), "monthly snapshots"},
                {"keep_yearly", "Keep", f.keepYearly(), "yearly snapshots"}};
        for (String[] v : values) {
            if (!v[2].isEmpty()) {
                details.add(v[1] + " " + v[2] + " " + v[3]);
                fields.add(new Hidden(v[0], v[2]));
            }
        }
        if (!f.keepWithin().isEmpty()) {
            details.add("Keep everything within " + f.keepWithin());
            fields.add(new Hidden("keep_within", f.keepWithin()));
        }
        if (!f.keepTags().isEmpty()) {
            details.add("Keep every snapshot tagged " + f.keepTags());
            fields.add(new Hidden("keep_tags", f.keepTags()));
        }
        if (f.prune()) {
            details.add("Then prune: unreferenced data is deleted from the repository");
            fields.add(new Hidden("prune", "on"));
        }
        return new Confirm("forget", "Forget snapshots?",
                           "Every snapshot not kept by these rules is removed from the repository. "
                                   + "This cannot be undone.", details, fields, "Yes, forget snapshots");
    }
}
