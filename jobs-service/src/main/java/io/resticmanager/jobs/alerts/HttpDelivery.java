package io.resticmanager.jobs.alerts;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP side shared by the webhook and ntfy channels: one client, one way to read an answer. */
final class HttpDelivery {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    // HTTP/1.1 because receivers are often small scripts and proxies; redirects are never followed so a
    // notification (and its signature or token) only ever goes to the configured URL.
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private HttpDelivery() {
    }

    /** A request builder with the read timeout and our User-Agent set. */
    static HttpRequest.Builder request(java.net.URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("User-Agent", "restic-manager");
    }

    /**
     * Sends and classifies the answer: 2xx delivered; 408, 429, 5xx and I/O failures retryable; any other status
     * (4xx, an unfollowed 3xx) is not. The body is never read: the status says enough, and a slow body must
     * not hold the sender.
     */
    static void send(String what, HttpRequest request) throws DeliveryException {
        int status;
        try {
            HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            response.body().close();
        } catch (IOException e) {
            throw new DeliveryException(what + " unreachable: " + describe(e), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException(what + " delivery interrupted", true);
        }
        if (status / 100 == 2) {
            return;
        }
        boolean retryable = status == 408 || status == 429 || status >= 500;
        String hint = status / 100 == 3 ? " (redirects are not followed; configure the final URL)" : "";
        throw new DeliveryException(what + " answered HTTP " + status + hint, retryable);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
