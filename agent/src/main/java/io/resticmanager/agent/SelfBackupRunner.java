package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code self_backup}: the server's own state (its databases and secret files, one tar stream the server makes for
 * this job only) piped straight into {@code restic backup --stdin}: nothing of it touches this host's disk, and a
 * stream that breaks off or ends without the archive's end blocks stops restic before its input ends, so no
 * snapshot of a partial state is ever saved.
 */
final class SelfBackupRunner implements Runner {
    /** The one file of a self-backup snapshot. */
    static final String FILENAME = "restic-manager-state.tar";
    /** Every self-backup snapshot carries this tag (and the job's own tags). */
    static final String TAG = "restic-manager-state";
    private static final int END_BLOCKS = 1024;

    /** Opens the state stream for the job. */
    interface Source {
        InputStream open() throws IOException;
    }

    private final Source source;

    SelfBackupRunner(Source source) {
        this.source = source;
    }

    /** The state of job {@code jobId} from the server, asked with this agent's credential. */
    static Source fromServer(AgentConfig config, String jobId) {
        return () -> {
            URI uri = URI.create(config.serverUrl().toString().replaceAll("/+$", "") + "/api/agents/state?job_id="
                                         + URLEncoder.encode(jobId, StandardCharsets.UTF_8));
            HttpClient client = Enrollment.httpClient(config.tlsPinSha256());
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                                               .header("Authorization", "Bearer " + config.agentToken()).GET().build(),
                                       HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking the server for its state");
            }
            if (response.statusCode() != 200) {
                String detail;
                try (InputStream in = response.body()) {
                    detail = Restic.parseJson(new String(in.readNBytes(4096), StandardCharsets.UTF_8))
                            .map(n -> n.path("detail").asText("")).orElse("");
                }
                throw new IOException("the server refused its state (HTTP " + response.statusCode() + ")"
                                              + (detail.isBlank() ? "" : ": " + detail));
            }
            return response.body();
        };
    }

    @Override
    public boolean placesLimits() {
        return true;
    }

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        List<String> args = new ArrayList<>(List.of("backup", "--json", "--host", HostInfo.current().hostname(),
                                                    "--tag", TAG));
        params.tags().forEach(t -> args.addAll(List.of("--tag", t)));
        if (params.limitUploadKib() != null) {
            args.addAll(List.of("--limit-upload", params.limitUploadKib().toString()));
        }
        if (params.limitDownloadKib() != null) {
            args.addAll(List.of("--limit-download", params.limitDownloadKib().toString()));
        }
        args.addAll(List.of("--stdin", "--stdin-filename", FILENAME));
        return args;
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        sink.log("event", "fetching the server's state");
        InputStream state = source.open();
        long[] bytes = {0};
        AtomicReference<Map<String, Object>> summary = new AtomicReference<>(Map.of());
        Restic.Result result;
        try (state) {
            result = restic.run(args, BackupRunner.output(sink, summary), cancel,
                                stdin -> bytes[0] = feed(state, stdin));
        } catch (Restic.InputFailed e) {
            return Outcome.failed(e.getMessage() + "; nothing was stored");
        }
        if (result.exitCode() == 0) {
            sink.log("event", "server state: " + bytes[0] + " bytes");
        }
        return ExitCodes.classify(result).withSummary(summary.get());
    }

    /**
     * Copies the state into restic's stdin and checks that it ended like a whole tar archive (two zero blocks after
     * whole 512-byte blocks); returns the bytes copied.
     */
    static long feed(InputStream state, OutputStream stdin) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        byte[] tail = new byte[END_BLOCKS];
        int tailLength = 0;
        long total = 0;
        while (true) {
            int n;
            try {
                n = state.read(buffer);
            } catch (IOException e) {
                throw new Restic.InputFailed("the server's state stream broke off after " + total + " bytes ("
                                                     + e.getClass().getSimpleName() + ")");
            }
            if (n < 0) {
                break;
            }
            stdin.write(buffer, 0, n);
            total += n;
            // keep the last END_BLOCKS bytes seen
            if (n >= END_BLOCKS) {
                System.arraycopy(buffer, n - END_BLOCKS, tail, 0, END_BLOCKS);
                tailLength = END_BLOCKS;
            } else {
                int keep = Math.min(tailLength, END_BLOCKS - n);
                System.arraycopy(tail, tailLength - keep, tail, 0, keep);
                System.arraycopy(buffer, 0, tail, keep, n);
                tailLength = keep + n;
            }
        }
        if (total == 0 || total % 512 != 0 || tailLength < END_BLOCKS
                || !Arrays.equals(tail, new byte[END_BLOCKS])) {
            throw new Restic.InputFailed("the server's state stream ended early, after " + total + " bytes");
        }
        return total;
    }

    @Override
    public boolean refreshesSnapshots() {
        return true;
    }
}
