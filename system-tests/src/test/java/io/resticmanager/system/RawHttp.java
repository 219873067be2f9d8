package io.resticmanager.system;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, one connection per request. The JDK client refuses the inputs a fuzzer needs
 * (duplicate or restricted headers, raw bytes in the request line, a Content-Length that lies), so bytes are
 * written exactly as given.
 */
final class RawHttp {
    /** Longer than the gateway's 30 s proxy read timeout: a hang shows up as its 503, not as ours. */
    static final int READ_TIMEOUT_MS = 40_000;
    private static final int MAX_BODY = 2 * 1024 * 1024;
    /** Methods that carry a body by convention: they get a Content-Length even when it is 0. */
    private static final java.util.Set<String> BODY_METHODS = java.util.Set.of("POST", "PUT", "PATCH");

    /** status 0: the server closed without answering; -1: no answer in time. */
    record Response(int status, List<String[]> headers, String body) {
        Optional<String> header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
        }

        List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }
    }

    /** One request as bytes on the wire. */
    record Wire(byte[] head, byte[] body, int sendBodyBytes, boolean chunked) {
    }

    private final String host;
    private final int port;

    RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    static RawHttp of(String baseUrl) {
        java.net.URI uri = java.net.URI.create(baseUrl);
        return new RawHttp(uri.getHost(), uri.getPort());
    }

    String authority() {
        return host + ":" + port;
    }

    /**
     * Builds the bytes: request line and headers as ISO-8859-1 after UTF-8 encoding (raw unicode stays raw), a
     * Host and Content-Length unless the caller gave its own, and {@code Connection: close}.
     */
    Wire wire(String method, String target, List<String[]> headers, byte[] body, int cutBodyAt, boolean chunked) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean hasHost = false;
        boolean hasLength = false;
        for (String[] h : headers) {
            hasHost |= h[0].equalsIgnoreCase("Host");
            hasLength |= h[0].equalsIgnoreCase("Content-Length") || h[0].equalsIgnoreCase("Transfer-Encoding");
            head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        if (!hasHost) {
            head.append("Host: ").append(authority()).append("\r\n");
        }
        if (chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (!hasLength && (body.length > 0 || BODY_METHODS.contains(method))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] headBytes = new String(head.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                .getBytes(StandardCharsets.ISO_8859_1);
        return new Wire(headBytes, chunked ? chunk(body) : body, cutBodyAt < 0 ? -1 : Math.min(cutBodyAt, body.length),
                        chunked);
    }

    Response send(Wire wire) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            try {
                out.write(wire.head());
                if (wire.sendBodyBytes() >= 0) {
                    // the declared length is a lie: send part of it and hang up our side
                    out.write(wire.body(), 0, wire.sendBodyBytes());
                    out.flush();
                    socket.shutdownOutput();
                } else {
                    out.write(wire.body());
                    out.flush();
                }
            } catch (IOException e) {
                // the server may answer (413, 431) and close before it read everything we meant to send
            }
            return read(in, wire);
        } catch (SocketTimeoutException e) {
            return new Response(-1, List.of(), "");
        } catch (IOException e) {
            return new Response(0, List.of(), String.valueOf(e.getMessage()));
        }
    }

    private static Response read(InputStream in, Wire wire) throws IOException {
        String statusLine = line(in);
        // "100 Continue" (we may send Expect) is interim: the real answer follows its empty header block
        while (statusLine != null && statusLine.matches("HTTP/\\S+ 1(0[02-9]|[1-9]\\d) .*|HTTP/\\S+ 100")) {
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                // interim headers carry nothing we judge
            }
            statusLine = line(in);
        }
        if (statusLine == null || !statusLine.startsWith("HTTP/")) {
            return new Response(0, List.of(), statusLine == null ? "" : statusLine);
        }
        String[] parts = statusLine.split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            return new Response(0, List.of(), statusLine);
        }
        List<String[]> headers = new ArrayList<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {l.substring(0, colon).strip(), l.substring(colon + 1).strip()});
            }
        }
        Response head = new Response(status, headers, "");
        String method = new String(wire.head(), 0, Math.min(16, wire.head().length), StandardCharsets.ISO_8859_1);
        if (status == 101 || status == 204 || status == 304 || status < 200 || method.startsWith("HEAD ")
                || head.header("Content-Type").map(t -> t.startsWith("text/event-stream")).orElse(false)) {
            // no body, or an upgraded/streaming connection we only wanted the answer of
            return head;
        }
        byte[] body;
        if (head.header("Transfer-Encoding").map(t -> t.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false)) {
            body = dechunk(in);
        } else if (head.header("Content-Length").isPresent()) {
            long length;
            try {
                length = Long.parseLong(head.header("Content-Length").get());
            } catch (NumberFormatException e) {
                length = MAX_BODY;
            }
            body = in.readNBytes((int) Math.min(length, MAX_BODY));
        } else {
            body = in.readNBytes(MAX_BODY);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < MAX_BODY) {
            String size = line(in);
            if (size == null) {
                break;
            }
            int n;
            try {
                n = Integer.parseInt(size.split(";")[0].strip(), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (n == 0) {
                break;
            }
            out.write(in.readNBytes(n));
            line(in);
        }
        return out.toByteArray();
    }

    private static byte[] chunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int step = Math.max(1, body.length / 3 + 1);
        for (int i = 0; i < body.length; i += step) {
            int n = Math.min(step, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** One CRLF-terminated line as ISO-8859-1, or null at end of stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            if (sb.length() < 64 * 1024) {
                sb.append((char) c);
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
