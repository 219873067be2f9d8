package io.resticmanager.proto;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a repository may ask of the host that runs restic for it: the backend environment variables
 * restic documents for its URL's backend and nothing else, and no host or remote that ssh or rclone
 * would read as an option. inventory-service applies it when a repository is saved (422 naming the
 * key) and the agent applies it again before it builds restic's environment, so neither a compromised
 * server nor a forged internal call can plant {@code PATH}, {@code LD_PRELOAD}, an askpass program or
 * an rclone remote that runs a command, as root, on every host.
 */
public final class RepoPolicy {
    /** Tuning variables restic reads for every backend; none of them names a program or a file. */
    private static final Set<String> COMMON = Set.of("RESTIC_COMPRESSION", "RESTIC_PACK_SIZE",
                                                     "RESTIC_READ_CONCURRENCY");
    /** Proxies for backends that speak HTTP (TLS still verifies the far end). */
    private static final Set<String> PROXY = Set.of("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");
    /** Per backend, the variables restic's documentation lists for it ("Preparing a new repository"). */
    private static final Map<String, Set<String>> BACKEND = Map.of(
            "local", Set.of(),
            "sftp", Set.of(),
            "rest", Set.of("RESTIC_REST_USERNAME", "RESTIC_REST_PASSWORD"),
            "s3", Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                         "AWS_REGION", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "RESTIC_AWS_ASSUME_ROLE_ARN",
                         "RESTIC_AWS_ASSUME_ROLE_SESSION_NAME", "RESTIC_AWS_ASSUME_ROLE_EXTERNAL_ID",
                         "RESTIC_AWS_ASSUME_ROLE_REGION", "RESTIC_AWS_ASSUME_ROLE_POLICY",
                         "RESTIC_AWS_ASSUME_ROLE_STS_ENDPOINT"),
            "b2", Set.of("B2_ACCOUNT_ID", "B2_ACCOUNT_KEY"),
            "azure", Set.of("AZURE_ACCOUNT_NAME", "AZURE_ACCOUNT_KEY", "AZURE_ACCOUNT_SAS", "AZURE_ENDPOINT_SUFFIX"),
            "gs", Set.of("GOOGLE_PROJECT_ID", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_ACCESS_TOKEN"),
            "swift", Set.of("OS_AUTH_URL", "OS_REGION_NAME", "OS_USERNAME", "OS_USER_ID", "OS_PASSWORD",
                            "OS_TENANT_ID", "OS_TENANT_NAME", "OS_USER_DOMAIN_NAME", "OS_USER_DOMAIN_ID",
                            "OS_PROJECT_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN_ID", "OS_TRUST_ID",
                            "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_NAME",
                            "OS_APPLICATION_CREDENTIAL_SECRET", "OS_STORAGE_URL", "OS_AUTH_TOKEN", "ST_AUTH",
                            "ST_USER", "ST_KEY", "SWIFT_DEFAULT_CONTAINER_POLICY"),
            // rclone's own RCLONE_* variables can define remotes that run programs: only these two are safe
            "rclone", Set.of("RCLONE_CONFIG_PASS", "RCLONE_BWLIMIT"));
    private static final Set<String> HTTP_BACKENDS = Set.of("rest", "s3", "b2", "azure", "gs", "swift");
    /** An rclone remote name as rclone allows it, minus a leading dash; no {@code ,option=} overrides. */
    private static final Pattern RCLONE_REMOTE = Pattern.compile("[A-Za-z0-9_.+@][A-Za-z0-9_.+@ -]*");

    private RepoPolicy() {
    }

    /** Thrown when a repository asks for something the policy refuses; the message names the key, never a value. */
    public static final class Violation extends IllegalArgumentException {
        public Violation(String message) {
            super(message);
        }
    }

    /**
     * The backend a URL speaks to ({@code local}, {@code sftp}, {@code rest}, {@code s3}, {@code b2},
     * {@code azure}, {@code gs}, {@code swift}, {@code rclone}); absolute paths are {@code local}.
     */
    public static String backend(String url) {
        if (url == null || url.isEmpty()) {
            throw new Violation("the repository has no URL");
        }
        if (url.startsWith("/") || Checks.windowsDrivePath(url)) {
            return "local";
        }
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon);
        if (!BACKEND.containsKey(scheme)) {
            throw new Violation("unsupported repository backend \"" + (scheme.length() > 20 ? scheme.substring(0, 20)
                    : scheme) + "\"");
        }
        return scheme;
    }

    /** The variables allowed for a backend, sorted (for messages and documentation). */
    public static Set<String> allowedKeys(String backend) {
        Set<String> own = BACKEND.getOrDefault(backend, Set.of());
        java.util.TreeSet<String> all = new java.util.TreeSet<>(own);
        all.addAll(COMMON);
        if (HTTP_BACKENDS.contains(backend)) {
            all.addAll(PROXY);
        }
        return all;
    }

    /** Refuses a URL whose host or remote would be read as an option, and any variable not allowed for its backend. */
    public static void check(String url, Map<String, String> env) {
        String backend = backend(url);
        checkTarget(backend, url);
        Set<String> allowed = allowedKeys(backend);
        // sorted, so the message names the same key every time
        for (String key : new TreeMap<>(env == null ? Map.of() : env).keySet()) {
            if (!allowed.contains(key)) {
                throw new Violation("environment variable " + abbreviate(key) + " is not allowed for a " + backend
                        + " repository (allowed: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)) + ")");
            }
        }
    }

    private static void checkTarget(String backend, String url) {
        String rest = url.substring(url.indexOf(':') + 1);
        switch (backend) {
            case "sftp" -> {
                String target = rest.startsWith("//") ? rest.substring(2) : rest;
                int at = target.indexOf('@');
                String user = at < 0 ? "" : target.substring(0, at);
                String host = at < 0 ? target : target.substring(at + 1);
                if (user.startsWith("-") || host.startsWith("-") || host.startsWith("[-")) {
                    throw new Violation("an sftp user or host must not start with \"-\" (ssh would read it as an option)");
                }
            }
            case "rclone" -> {
                int colon = rest.indexOf(':');
                String remote = colon < 0 ? rest : rest.substring(0, colon);
                if (!RCLONE_REMOTE.matcher(remote).matches()) {
                    throw new Violation("an rclone remote must be a configured remote's name: letters, digits, "
                            + "_ . + @ - and spaces, not starting with \"-\", no \",option=\" overrides and no "
                            + "\":backend\" on-the-fly remotes");
                }
            }
            default -> {
                // the other backends reach their server through Go libraries, not a command line
            }
        }
    }

    private static String abbreviate(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
    }
}
