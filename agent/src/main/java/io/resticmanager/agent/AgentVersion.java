package io.resticmanager.agent;

/** This agent's version; the jar manifest's Implementation-Version wins when present. */
final class AgentVersion {
    static final String FALLBACK = "0.1.0";

    private AgentVersion() {
    }

    static String current() {
        String v = AgentVersion.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? FALLBACK : v;
    }
}
