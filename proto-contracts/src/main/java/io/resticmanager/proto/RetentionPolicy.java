package io.resticmanager.proto;

import java.util.List;

/** restic forget's keep rules. At least one rule must be set, or forget would remove everything. */
public record RetentionPolicy(Integer keepLast, Integer keepHourly, Integer keepDaily, Integer keepWeekly,
                              Integer keepMonthly, Integer keepYearly, String keepWithin, List<String> keepTags,
                              Boolean prune) {
    public RetentionPolicy {
        keepTags = Require.list(keepTags);
        for (Integer n : new Integer[] {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly}) {
            if (n != null && n < 1) {
                throw new IllegalArgumentException("keep_* values must be ≥ 1");
            }
        }
        if (keepWithin != null && !keepWithin.matches("(\\d+[yYmdhH])+")) {
            throw new IllegalArgumentException("keep_within must look like 1y2m3d4h, got: " + keepWithin);
        }
        if (keepLast == null && keepHourly == null && keepDaily == null && keepWeekly == null
                && keepMonthly == null && keepYearly == null && keepWithin == null && keepTags.isEmpty()) {
            throw new IllegalArgumentException("a retention policy needs at least one keep rule");
        }
    }
}
