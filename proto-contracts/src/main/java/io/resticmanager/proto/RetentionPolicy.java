package io.resticmanager.proto;

import java.util.List;

/**
 * restic forget's keep rules. At least one rule must be set, or forget would remove everything. {@code dryRun}:
 * only list what the rules would keep and remove ({@code restic forget --dry-run}); nothing is deleted.
 */
public record RetentionPolicy(Integer keepLast, Integer keepHourly, Integer keepDaily, Integer keepWeekly,
                              Integer keepMonthly, Integer keepYearly, String keepWithin, List<String> keepTags,
                              Boolean prune, Boolean dryRun) {
    public RetentionPolicy {
        keepTags = Require.list(keepTags);
        for (Integer n : new Integer[] {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly}) {
            if (n != null && n < 1) {
                throw new IllegalArgumentException("keep_* values must be ≥ 1");
            }
        }
        if (keepWithin != null && !Checks.keepWithin(keepWithin)) {
            throw new IllegalArgumentException("keep_within must look like 1y2m3d4h, got: " + keepWithin);
        }
        if (keepLast == null && keepHourly == null && keepDaily == null && keepWeekly == null
                && keepMonthly == null && keepYearly == null && keepWithin == null && keepTags.isEmpty()) {
            throw new IllegalArgumentException("a retention policy needs at least one keep rule");
        }
    }

    public RetentionPolicy(Integer keepLast, Integer keepHourly, Integer keepDaily, Integer keepWeekly,
                           Integer keepMonthly, Integer keepYearly, String keepWithin, List<String> keepTags,
                           Boolean prune) {
        this(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin, keepTags, prune, null);
    }

    /** The same rules, only previewed. */
    public RetentionPolicy preview() {
        return new RetentionPolicy(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin,
                                   keepTags, false, true);
    }

    public boolean previewOnly() {
        return Boolean.TRUE.equals(dryRun);
    }
}
