package io.resticmanager.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resticmanager.deploy.Repo.ServiceSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** compose/: valid for docker-compose, one published port, hardened services, working profiles. */
class ComposeTest {
    private static final String FILE = "docker-compose.yml";

    @Test
    void dockerComposeAcceptsTheFileWithEveryProfile() {
        assumeTrue(Proc.which("docker-compose").isPresent(),
                   "docker-compose is not installed (apt-get install docker-compose): `config -q` check skipped");
        for (List<String> profiles : List.of(List.<String>of(), List.of("--profile", "tls"),
                                             List.of("--profile", "demo"), List.of("--profile", "tls", "--profile", "demo"))) {
            List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "-f", FILE));
            command.addAll(profiles);
            command.addAll(List.of("config", "-q"));
            Proc.Result result = Proc.run(Repo.COMPOSE, command);
            assertThat(command + ": " + result.output(), result.ok(), is(true));
        }
        // and it does reject a broken file, so the check above means something
        Proc.Result broken = Proc.run(Repo.COMPOSE, List.of("docker-compose", "-f", "/dev/stdin", "config", "-q"));
        assertThat(broken.ok(), is(false));
    }

    @Test
    void onlyTheGatewayPublishesAPortUnlessTheTlsSidecarIsOn() {
        Map<String, Object> compose = compose();
        Map<String, Set<String>> published = new TreeMap<>();
        services(compose).forEach((name, service) -> {
            List<?> ports = (List<?>) service.get("ports");
            if (ports != null) {
                Set<String> targets = new TreeSet<>();
                ports.forEach(p -> targets.add(p.toString().replaceAll(".*:", "")));
                published.put(name, targets);
            }
        });
        int gatewayPort = Repo.service("gateway").port();
        assertThat(published.keySet(), is(Set.of("gateway", "caddy")));
        assertThat(published.get("gateway"), is(Set.of(String.valueOf(gatewayPort))));
        assertThat(profiles(service(compose, "caddy")), is(List.of("tls")));
    }

    @Test
    void everyServerProcessRunsHardenedWithItsOwnStateVolume() {
        Map<String, Object> compose = compose();
        Map<?, ?> declaredVolumes = (Map<?, ?>) compose.get("volumes");
        Set<String> dataVolumes = new TreeSet<>();
        for (ServiceSpec spec : Repo.services()) {
            Map<String, Object> service = service(compose, spec.shortName());
            String at = spec.shortName() + " ";
            assertThat(at + "read_only", service.get("read_only"), is(true));
            assertThat(at + "cap_drop", strings(service.get("cap_drop")), hasItem("ALL"));
            assertThat(at + "security_opt", strings(service.get("security_opt")), hasItem("no-new-privileges:true"));
            String tmp = ((List<?>) service.get("tmpfs")).stream().map(Object::toString)
                    .filter(t -> t.startsWith("/tmp")).findFirst().orElseThrow(() -> new AssertionError(at + "no /tmp tmpfs"));
            // sqlite-jdbc loads its native library from /tmp: a noexec mount would stop every stateful service
            assertThat(at + "tmpfs /tmp", tmp, containsString("exec"));
            assertThat(at + "tmpfs /tmp", tmp, not(containsString("noexec")));
            assertThat(at + "restart", service.get("restart"), is("unless-stopped"));
            assertThat(at + "is always on", service.containsKey("profiles"), is(false));

            List<String> mounts = ((List<?>) service.getOrDefault("volumes", List.of())).stream().map(Object::toString).toList();
            if (spec.stateful()) {
                String data = mounts.stream().filter(m -> m.endsWith(":/data")).findFirst()
                        .orElseThrow(() -> new AssertionError(at + "has no /data volume"));
                String volume = data.substring(0, data.indexOf(':'));
                assertThat(at + "uses a named volume", declaredVolumes.containsKey(volume), is(true));
                assertThat(at + "shares its volume", dataVolumes.add(volume), is(true));
            } else {
                assertThat(at + "is stateless", mounts.stream().noneMatch(m -> m.endsWith(":/data")), is(true));
            }
        }
    }

    @Test
    void secretsAreFilesFromAnIgnoredDirectory() {
        Map<String, Object> compose = compose();
        Map<?, ?> secrets = (Map<?, ?>) compose.get("secrets");
        assertThat(secrets.keySet(), is(Set.of("internal_token", "secret_key", "release_key")));
        assertThat(((Map<?, ?>) secrets.get("release_key")).get("file"), is("./secrets/release.key"));
        assertThat(((Map<?, ?>) secrets.get("internal_token")).get("file"), is("./secrets/internal-token"));
        assertThat(((Map<?, ?>) secrets.get("secret_key")).get("file"), is("./secrets/secret.key"));
        assertThat(Repo.read(Repo.COMPOSE.resolve(".gitignore")), containsString("secrets/"));
        services(compose).forEach((name, service) -> ((List<?>) service.getOrDefault("secrets", List.of()))
                .forEach(s -> assertThat(name + " uses a declared secret", secrets.containsKey(s.toString()), is(true))));
    }

    @Test
    void theGatewayTrustsForwardedHeadersOnlyFromTheCaddySidecar() {
        Map<String, Object> compose = compose();
        Map<String, Object> caddy = service(compose, "caddy");
        String caddyIp = Repo.at(caddy, "networks", "edge", "ipv4_address").orElseThrow().toString();
        assertThat(environment(service(compose, "gateway")).get("RM_TRUSTED_PROXY"), is(caddyIp));

        // the edge network holds Caddy and the gateway only, so no other container can ever hold the trusted address
        Set<String> onEdge = new TreeSet<>();
        services(compose).forEach((name, service) -> {
            Object networks = service.get("networks");
            if ((networks instanceof Map<?, ?> m && m.containsKey("edge")) || (networks instanceof List<?> l && l.contains("edge"))) {
                onEdge.add(name);
            }
        });
        assertThat(onEdge, is(Set.of("caddy", "gateway")));
        Map<?, ?> ipam = (Map<?, ?>) ((List<?>) Repo.at(compose, "networks", "edge", "ipam", "config").orElseThrow()).get(0);
        assertThat(caddyIp + " is on the edge network", inCidr(caddyIp, ipam.get("subnet").toString()), is(true));
        // docker-compose v1 on podman's API: an ip_range is not reported back, and every later command would fail
        assertThat(ipam.containsKey("ip_range"), is(false));
        assertThat(Repo.at(compose, "networks", "edge", "ipam", "options", "driver").orElseThrow(), is("host-local"));
        // Caddy dials the gateway by its edge-only name, so its requests come from its edge address
        assertThat(strings(Repo.at(service(compose, "gateway"), "networks", "edge", "aliases").orElseThrow()),
                   is(List.of("gateway-edge")));
    }

    @Test
    void theCaddyfileProxiesToTheGateway() throws IOException {
        Map<String, Object> caddy = service(compose(), "caddy");
        // caddy:2.8 by default; RM_CADDY_IMAGE names a local one (deploy/docker/caddy.Dockerfile) where none is pulled
        assertThat(caddy.get("image").toString(), is("${RM_CADDY_IMAGE:-caddy:2.8}"));
        assertThat(Repo.read(Repo.DOCKER.resolve("caddy.Dockerfile")), containsString("apt-get install -y --no-install-recommends caddy"));
        assertThat(strings(caddy.get("volumes")), hasItem("./Caddyfile:/etc/caddy/Caddyfile:ro"));
        String caddyfile = Repo.read(Repo.COMPOSE.resolve("Caddyfile"));
        assertThat(caddyfile, containsString("reverse_proxy gateway-edge:" + Repo.service("gateway").port()));

        assumeTrue(Proc.which("caddy").isPresent(), "caddy is not installed (apt-get install caddy): adapt check skipped");
        Proc.Result adapted = Proc.run(Repo.COMPOSE, List.of("caddy", "adapt", "--config", "Caddyfile", "--adapter", "caddyfile"),
                                       Map.of("RM_DOMAIN", "backup.example.com"));
        assertThat(adapted.output(), adapted.ok(), is(true));
        assertThat("caddy warns: " + adapted.output(), adapted.output(), not(containsString("\"level\":\"warn\"")));
        String json = adapted.output().lines().filter(l -> l.startsWith("{\"apps\"")).findFirst().orElseThrow();
        JsonNode config = new ObjectMapper().readTree(json);
        assertThat(config.findValuesAsText("dial"), hasItem("gateway-edge:" + Repo.service("gateway").port()));
        assertThat(config.findValues("host").toString(), containsString("backup.example.com"));
        Proc.Result fmt = Proc.run(Repo.COMPOSE, List.of("caddy", "fmt", "Caddyfile"));
        assertThat("Caddyfile is `caddy fmt` clean", fmt.output().strip(), is(caddyfile.strip()));
    }

    @Test
    void theDemoProfileAddsAnAgentAndAnAppendOnlyResticBackend() {
        Map<String, Object> compose = compose();
        Map<String, Object> rest = service(compose, "restic-rest");
        assertThat(profiles(rest), is(List.of("demo")));
        assertThat(rest.get("image").toString(), is("${RM_RCLONE_IMAGE:-rclone/rclone:1.68}"));
        assertThat(strings(rest.get("command")), hasItems("serve", "restic", "--append-only"));
        assertThat("not published", rest.containsKey("ports"), is(false));

        Map<String, Object> agent = service(compose, "demo-agent");
        assertThat(profiles(agent), is(List.of("demo")));
        assertThat(agent.get("image").toString(), startsWith("restic-manager/agent:"));
        assertThat(((List<?>) agent.get("volumes")).stream().map(Object::toString).toList(),
                   hasItem(containsString(":/var/lib/restic-manager-agent")));
        assertThat("the agent has no port", agent.containsKey("ports"), is(false));
    }

    /** A YAML list as strings. */
    static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<?>) list).stream().map(Object::toString).toList();
    }

    static Map<String, Object> compose() {
        return Repo.yaml(Repo.COMPOSE.resolve(FILE));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(Map<String, Object> compose) {
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> service = services(compose).get(name);
        assertThat("compose service " + name, service, notNullValue());
        return service;
    }

    static List<?> profiles(Map<String, Object> service) {
        return (List<?>) service.getOrDefault("profiles", List.of());
    }

    /** A service's environment as strings (map or KEY=VALUE list form). */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service.get("environment");
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> env.put(k.toString(), v == null ? null : v.toString()));
        } else if (raw instanceof List<?> list) {
            list.forEach(entry -> {
                String[] kv = entry.toString().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : null);
            });
        }
        return env;
    }

    static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (ipv4(ip) & mask) == (ipv4(parts[0]) & mask);
    }

    private static long ipv4(String ip) {
        long value = 0;
        for (String octet : ip.split("\\.")) {
            value = (value << 8) | Integer.parseInt(octet);
        }
        return value;
    }
}
