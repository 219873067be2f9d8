package io.resticmanager.ui;

import io.resticmanager.proto.Feature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why each job button is disabled for this host's agent (its protocol too old for the feature), from the hub's
 * record of the agent; nothing is disabled when the hub does not know the protocol yet (jobs wait for the agent).
 */
record FeatureGates(Map<String, String> reasons) {
    static final FeatureGates NONE = new FeatureGates(Map.of());

    static FeatureGates of(Integer protocol) {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Feature f : Feature.values()) {
            f.refusal(protocol).ifPresent(r -> reasons.put(f.key(), r));
        }
        return new FeatureGates(reasons);
    }

    String backup() {
        return reasons.get("backup");
    }

    String copy() {
        return reasons.get("copy");
    }

    String forget() {
        return reasons.get("forget");
    }

    String prune() {
        return reasons.get("prune");
    }

    String check() {
        return reasons.get("check");
    }

    String unlock() {
        return reasons.get("unlock");
    }

    String snapshots() {
        return reasons.get("snapshots");
    }

    String init() {
        return reasons.get("init");
    }
}
