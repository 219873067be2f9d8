package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * The OpenAPI document (resource {@code openapi.json}, served at {@code GET /api/openapi.json}) against the code:
 * every operation it describes is let in by the gateway's access table with the access it states and reaches the
 * service it names; every route the gateway answers itself is described; every row of the access table that lets
 * a caller reach a service's API is described. A route added or removed on either side without the other fails here.
 */
class OpenApiTest {
    /** What the access table lets through to a handler (the rest refuse or are the UI's pages). */
    private static final Set<RouteTable.Access> GRANTING = EnumSet.of(
            RouteTable.Access.PUBLIC, RouteTable.Access.AUTHENTICATED, RouteTable.Access.VIEWER,
            RouteTable.Access.SCRAPE, RouteTable.Access.OPERATOR, RouteTable.Access.ADMIN);
    private static final String GATEWAY = "gateway";

    /** One documented operation: method (upper case), path template, and its x-rm-access / x-rm-service. */
    record Operation(String method, String template, String access, String service) {
        /** The template with each {@code {slot}} filled in, as a caller would send it. */
        String path() {
            return template.replaceAll("\\{[^}]+}", "x1");
        }

        String name() {
            return method + " " + template;
        }
    }

    private static TestStack stack;

    @BeforeAll
    static void start() {
        // single sign-on configured, so the gateway registers its /auth/oidc routes too (no provider is contacted)
        stack = new TestStack(Map.of("rm.public-url", "https://backup.example.com",
                                     "rm.gateway.oidc.discovery-url", "https://idp.example.com/realms/main",
                                     "rm.gateway.oidc.client-id", "rm"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void theDocumentIsServedWithoutCredentials() throws Exception {
        HttpResponse<String> r = stack.send("GET", OpenApiRoutes.PATH, null);
        assertThat(r.body(), r.statusCode(), is(200));
        assertThat(r.headers().firstValue("Content-Type").orElse(""), startsWith("application/json"));
        assertThat(new ObjectMapper().readTree(r.body()), is(document()));
        assertThat(document().path("openapi").asText(), startsWith("3.1."));
        // reading it changes nothing and needs no token; writing to it is refused like any unknown API call
        assertThat(stack.send("POST", OpenApiRoutes.PATH, "{}").statusCode(), is(401));
    }

    @Test
    void everyOperationIsLetInByTheAccessTableAsTheDocumentSays() {
        List<String> wrong = new ArrayList<>();
        for (Operation op : documented()) {
            RouteTable.Access access = RouteTable.DEFAULT.match(op.method(), op.path()).access();
            if (!GRANTING.contains(access) || !access.name().equals(op.access())) {
                wrong.add(op.name() + ": the document says " + op.access() + ", the access table " + access);
            }
        }
        assertThat(wrong, is(empty()));
    }

    @Test
    void theRoutesTheGatewayAnswersItselfAreExactlyTheDocumentedGatewayOperations() {
        Set<String> registered = gatewayRoutes();
        Set<String> documented = documented().stream().filter(op -> op.service().equals(GATEWAY))
                .map(op -> op.method() + " " + op.path()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(registered);
        assertThat("registered by the gateway but not in openapi.json", undocumented, is(empty()));
        assertThat("in openapi.json as the gateway's but not registered by it", missing, is(empty()));
    }

    @Test
    void everyOtherOperationIsProxiedToTheServiceTheDocumentNames() {
        Set<String> gatewayOwn = gatewayRoutes();
        List<String> wrong = new ArrayList<>();
        for (Operation op : documented()) {
            if (op.service().equals(GATEWAY)) {
                continue;
            }
            Optional<Upstreams.Upstream> owner = stack.gateway.upstreams.forPath(op.path());
            String actual = gatewayOwn.contains(op.method() + " " + op.path()) ? GATEWAY
                    : owner.map(Upstreams.Upstream::name).orElse(GATEWAY);
            if (!actual.equals(op.service())) {
                wrong.add(op.name() + ": the document says " + op.service() + ", the gateway sends it to " + actual);
            }
        }
        assertThat(wrong, is(empty()));
    }

    @Test
    void everyRowOfTheAccessTableThatLetsCallersReachAnApiIsDocumented() {
        List<Operation> ops = documented();
        Set<String> gatewayOwn = gatewayRoutes();
        List<String> undocumented = new ArrayList<>();
        for (RouteTable.Rule rule : rules()) {
            String sample = rule.pattern().replace("/**", "").replace("*", "x1");
            boolean page = stack.gateway.upstreams.forPath(sample).map(u -> u.name().equals(Upstreams.UI)).orElse(false)
                    && gatewayOwn.stream().noneMatch(r -> RouteTable.matches(rule.pattern(), r.split(" ", 2)[1]));
            if (!GRANTING.contains(rule.access()) || page) {
                continue; // refusals, and the UI's own pages and assets (login form, setup, stylesheets)
            }
            boolean family = rule.pattern().endsWith("/**");
            // an exact row must be the one that decides some operation; a family row (deny-by-default guard for
            // what may come) must cover at least one
            boolean described = ops.stream().anyMatch(op -> family ? rule.matches(op.method(), op.path())
                    : RouteTable.DEFAULT.match(op.method(), op.path()) == rule);
            if (!described) {
                undocumented.add((rule.methods().isEmpty() ? "ANY" : String.join("|", new TreeSet<>(rule.methods())))
                                         + " " + rule.pattern() + " (" + rule.access() + ")");
            }
        }
        assertThat("access-table rows with no operation in openapi.json", undocumented, is(empty()));
    }

    /** Every operation of the document. */
    static List<Operation> documented() {
        List<Operation> ops = new ArrayList<>();
        document().path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> ops.add(
                new Operation(op.getKey().toUpperCase(Locale.ROOT), path.getKey(),
                              op.getValue().path("x-rm-access").asText(), op.getValue().path("x-rm-service").asText()))));
        assertThat("operations in openapi.json", ops.isEmpty(), is(false));
        return ops;
    }

    static JsonNode document() {
        try (InputStream in = OpenApiTest.class.getClassLoader().getResourceAsStream(OpenApiRoutes.RESOURCE)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The access table's rows, read from the one table the gateway uses. */
    private static List<RouteTable.Rule> rules() {
        try {
            var field = RouteTable.class.getDeclaredField("rules");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            List<RouteTable.Rule> rules = (List<RouteTable.Rule>) field.get(RouteTable.DEFAULT);
            return rules;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * "METHOD /path" (slots filled as in {@link Operation#path()}) for each route the gateway's own routing
     * registers: GatewayMain.routing run against a builder that only writes down what it is given.
     */
    private static Set<String> gatewayRoutes() {
        Set<String> routes = new TreeSet<>();
        HttpRouting.Builder[] self = new HttpRouting.Builder[1];
        self[0] = (HttpRouting.Builder) Proxy.newProxyInstance(
                OpenApiTest.class.getClassLoader(), new Class<?>[] {HttpRouting.Builder.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (name) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "route recorder";
                        };
                    }
                    if (name.equals("register") && args != null && args[0] instanceof HttpService[] services) {
                        for (HttpService s : services) {
                            s.routing(self[0]);
                        }
                    } else if (Set.of("get", "post", "put", "patch", "delete").contains(name)
                            && args != null && args[0] instanceof String path) {
                        routes.add(name.toUpperCase(Locale.ROOT) + " " + path.replaceAll("\\{[^}]+}", "x1"));
                    } else if (name.equals("register") || name.equals("route")
                            || (args != null && args.length > 0 && args[0] instanceof String)) {
                        throw new AssertionError("OpenApiTest does not know routing call " + method
                                                         + ": teach gatewayRoutes() to read it");
                    }
                    return method.getReturnType().isInstance(proxy) ? proxy : null;
                });
        GatewayMain.routing(self[0], stack.gateway);
        // /internal/** is the services' own traffic (the access table answers it 404 from outside): not public API
        routes.removeIf(r -> r.split(" ", 2)[1].startsWith("/internal/"));
        return routes;
    }
}
