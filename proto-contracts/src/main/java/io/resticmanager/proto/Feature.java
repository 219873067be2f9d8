package io.resticmanager.proto;

import java.util.Optional;

/**
 * What the dashboard can ask of an agent, and the oldest agent protocol ({@link Protocol#VERSION} of the agent's
 * hello) that can do it. A feature that needs something new of the agent gets {@code sinceProtocol} = the protocol
 * version that brought it (and {@link Protocol#VERSION} goes up); an older agent that the hub still accepts then sees
 * that feature's button disabled with {@link #refusal}, while everything else keeps working.
 */
public enum Feature {
    BACKUP("backup", "Backup", 1),
    COPY("copy", "Copy to another repository", 1),
    FORGET("forget", "Forget", 1),
    PRUNE("prune", "Prune", 1),
    CHECK("check", "Check", 1),
    UNLOCK("unlock", "Unlock", 1),
    SNAPSHOTS("snapshots", "Refresh snapshots", 1),
    INIT("init", "Initialise repository", 1);

    private final String key;
    private final String label;
    private final int sinceProtocol;

    Feature(String key, String label, int sinceProtocol) {
        this.key = key;
        this.label = label;
        this.sinceProtocol = sinceProtocol;
    }

    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    public int sinceProtocol() {
        return sinceProtocol;
    }

    public static Optional<Feature> of(String key) {
        for (Feature f : values()) {
            if (f.key.equals(key)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Why an agent speaking {@code agentProtocol} cannot do this, or empty when it can. An agent that has not said
     * hello yet (null) is not refused: its jobs wait for it, and it is checked again when it connects.
     */
    public Optional<String> refusal(Integer agentProtocol) {
        return refusal(sinceProtocol, agentProtocol, label);
    }

    static Optional<String> refusal(int since, Integer agentProtocol, String label) {
        if (agentProtocol == null || agentProtocol >= since) {
            return Optional.empty();
        }
        return Optional.of(label + " needs agent protocol " + since + "; the agent on this host speaks protocol "
                                   + agentProtocol + ". Update the agent to use it.");
    }
}
