package io.resticmanager.system;

import java.nio.file.Path;
import java.util.Map;

/**
 * The most common system-test setup: a stack, its first admin, and one real agent enrolled with a fresh local
 * repository that is already initialised ({@code <data>/repo}, agent files under {@code <data>/agent}).
 */
final class OneHost implements AutoCloseable {
    final Stack stack;
    final Api admin;
    final AgentProcess agent;
    final String hostId;
    final Path repo;

    private OneHost(Stack stack, Api admin, AgentProcess agent, String hostId, Path repo) {
        this.stack = stack;
        this.admin = admin;
        this.agent = agent;
        this.hostId = hostId;
        this.repo = repo;
    }

    static OneHost start(String name, String repoPassword) throws Exception {
        Stack stack = Stack.start(name);
        Api admin = Api.setupAdmin(stack, "admin", name + "-admin-pw");
        Path repo = stack.dataDir().resolve("repo");
        AgentProcess agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        String hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, repoPassword);
        String init = Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText();
        if (!init.equals("succeeded")) {
            throw new AssertionError("restic init " + init + "; see " + stack.logDir().resolve("agent.log"));
        }
        return new OneHost(stack, admin, agent, hostId, repo);
    }

    @Override
    public void close() throws Exception {
        agent.close();
        stack.close();
    }
}
