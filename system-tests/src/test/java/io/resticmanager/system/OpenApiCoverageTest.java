package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * The OpenAPI document the gateway serves ({@code gateway/src/main/resources/openapi.json}) against the routes the
 * services' packaged jars register: every public route of agent-hub, jobs-service and inventory-service is
 * described, and every operation described as theirs is registered. Each jar's {@code HttpService}s write their
 * routes into a recorder, in a class loader of their own (the jar and its libs, as the stack runs them); nothing is
 * started. The gateway's own routes and its access table: the gateway module's OpenApiTest.
 */
class OpenApiCoverageTest {
    private static final List<String> SERVICES = List.of("agent-hub", "jobs-service", "inventory-service");

    @Test
    void everyPublicServiceRouteIsDescribedAndEveryDescribedOneExists() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(Stack.ROOT.resolve("gateway/src/main/resources/openapi.json").toFile());
        List<String> problems = new ArrayList<>();
        for (String service : SERVICES) {
            Set<String> registered = registered(service);
            assertThat(service + " routes found", registered.size(), is(greaterThan(3)));
            Set<String> documented = new TreeSet<>();
            doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
                if (op.getValue().path("x-rm-service").asText().equals(service)) {
                    documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + slots(path.getKey()));
                }
            }));
            for (String route : registered) {
                if (!documented.contains(route)) {
                    problems.add(service + " registers " + route + ", which openapi.json does not describe");
                }
            }
            for (String op : documented) {
                if (!registered.contains(op)) {
                    problems.add("openapi.json describes " + op + " on " + service + ", which it does not register");
                }
            }
        }
        assertThat(problems, is(empty()));
    }

    @Test
    void theRecorderSeesARouteItIsShown() throws Exception {
        // the check above is only as good as the recorder: it must see what a service registers
        assertThat(registered("agent-hub").stream().filter(r -> r.equals("POST /api/agents/enroll")).toList(),
                   hasSize(1));
    }

    /** "METHOD /path/{}" of each public route the service's jar registers ({@code /internal/**} left out). */
    private static Set<String> registered(String service) throws Exception {
        String[] def = Stack.SERVICES.get(service);
        Path target = Stack.ROOT.resolve(def[0] + "/target");
        Path jar = target.resolve("restic-manager-" + def[1] + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first");
        }
        List<URL> urls = new ArrayList<>(List.of(jar.toUri().toURL()));
        try (Stream<Path> libs = Files.list(target.resolve("libs"))) {
            for (Path lib : libs.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(lib.toUri().toURL());
            }
        }
        Set<String> routes = new TreeSet<>();
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
             JarFile file = new JarFile(jar.toFile())) {
            Class<?> httpService = loader.loadClass("io.helidon.webserver.http.HttpService");
            Class<?> httpRules = loader.loadClass("io.helidon.webserver.http.HttpRules");
            Object recorder = recorder(loader, httpService, httpRules, routes);
            for (String name : file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class"))
                    .filter(n -> !n.matches(".*\\$\\d.*")).toList()) {
                Class<?> c = loader.loadClass(name.substring(0, name.length() - 6).replace('/', '.'));
                if (httpService.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                    // a route class only hands method references to the rules: no need for its collaborators
                    Method routing = c.getMethod("routing", httpRules);
                    routing.setAccessible(true);
                    routing.invoke(allocate(c), recorder);
                }
            }
        }
        routes.removeIf(r -> r.split(" ", 2)[1].startsWith("/internal/"));
        return routes;
    }

    /** An HttpRules that writes down "METHOD /path" and follows nested services; anything else it cannot read fails. */
    private static Object recorder(ClassLoader loader, Class<?> httpService, Class<?> httpRules, Set<String> routes) {
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(loader, new Class<?>[] {httpRules}, (proxy, method, args) -> {
            String name = method.getName();
            if (method.getDeclaringClass() == Object.class) {
                return switch (name) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "route recorder";
                };
            }
            if (Set.of("get", "post", "put", "patch", "delete").contains(name) && args != null && args.length > 0
                    && args[0] instanceof String path) {
                routes.add(name.toUpperCase(Locale.ROOT) + " " + slots(path));
            } else if (name.equals("register") && args != null && args[0].getClass().isArray()
                    && httpService.isAssignableFrom(args[0].getClass().getComponentType())) {
                for (Object s : (Object[]) args[0]) {
                    httpService.getMethod("routing", httpRules).invoke(s, self[0]);
                }
            } else {
                throw new AssertionError("OpenApiCoverageTest cannot read the routing call " + method);
            }
            return proxy;
        });
        return self[0];
    }

    /** Path parameters as "{}": OpenAPI's {name} and Helidon's trailing "*" (a path below the prefix) alike. */
    private static String slots(String path) {
        return path.replaceAll("\\{[^}]+}", "{}").replaceAll("/\\*$", "/{}");
    }

    private static Object allocate(Class<?> c) throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field f = unsafeClass.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return unsafeClass.getMethod("allocateInstance", Class.class).invoke(f.get(null), c);
    }
}
