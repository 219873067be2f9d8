package io.resticmanager.gateway;

import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.http.ServerRequest;
import io.resticmanager.kit.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A request body the gateway had to read (for the CSRF form field); the proxy forwards these same bytes. */
record BufferedBody(byte[] bytes) {
    /** Reads the whole body, refusing more than {@code max} bytes with 413. */
    static BufferedBody read(ServerRequest req, long max) {
        if (!req.content().hasEntity()) {
            return new BufferedBody(new byte[0]);
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) {
                throw tooLarge(max);
            }
            return new BufferedBody(bytes);
        } catch (DataReader.InsufficientDataAvailableException e) {
            // the client hung up before sending the Content-Length it announced: its mistake, not ours
            throw Problem.badRequest("request body ended before its declared length");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Problem tooLarge(long max) {
        return new Problem(413, "Content Too Large", "request body exceeds " + max + " bytes");
    }
}
