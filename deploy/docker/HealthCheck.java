import java.net.HttpURLConnection;
import java.net.URI;

/**
 * Docker HEALTHCHECK probe: exit 0 when {@code GET http://127.0.0.1:<port>/health} answers 200, else 1.
 * The runtime images carry no curl/wget, so the check is a tiny class compiled in the build stage.
 * Usage: {@code java -cp /app/healthcheck HealthCheck <port env var> <default port>} — the port follows
 * the same variable the service reads, so overriding it does not break the check.
 */
public final class HealthCheck {
    private HealthCheck() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: HealthCheck <port env var> <default port>");
            System.exit(2);
        }
        String port = System.getenv().getOrDefault(args[0], args[1]);
        try {
            HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health")
                    .toURL().openConnection();
            http.setConnectTimeout(2000);
            http.setReadTimeout(3000);
            int status = http.getResponseCode();
            http.disconnect();
            if (status != 200) {
                System.err.println("health: HTTP " + status);
                System.exit(1);
            }
        } catch (Exception e) {
            System.err.println("health: " + e);
            System.exit(1);
        }
    }
}
