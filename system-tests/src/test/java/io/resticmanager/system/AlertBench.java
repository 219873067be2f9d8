package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * "Failed backup → notification received": a real agent backs up for real into a repository that is alternately
 * broken (its config file moved away, so the backup fails and backup_failed fires) and repaired (the next backup
 * succeeds and the alert resolves); each job's end is timed to the moment a webhook receiver, an ntfy publish
 * receiver and a real SMTP server (GreenMail) have its notification. Goal (the alerts issue): p99 ≤ 2 s.
 */
final class AlertBench {
    private static final String NAME = "alerts";
    private static final String PASSWORD = "alert-bench-password";

    private AlertBench() {
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        report.setting("alerts.samples", config.alertSamples());
        try (BenchStack bench = BenchStack.start(report, "bench-alerts");
             AlertsTest.Receiver webhook = new AlertsTest.Receiver(0);
             AlertsTest.Receiver ntfy = new AlertsTest.Receiver(0);
             AgentProcess agent = new AgentProcess(bench.stack().dataDir().resolve("agent"),
                                                   bench.stack().logDir().resolve("agent.log"))) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            Path repo = stack.dataDir().resolve("repo");
            Path source = Files.createDirectories(stack.dataDir().resolve("source"));
            Files.writeString(source.resolve("file.txt"), "bench\n".repeat(1000));
            String hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
            Fleet.runAndWait(admin, hostId, Map.of("kind", "init"));
            GreenMail mail = new GreenMail(new ServerSetup(Stack.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            mail.start();
            try {
                admin.post("/api/alert-channels", Map.of("name", "webhook", "kind", "webhook", "config", Map.of(
                        "url", "http://127.0.0.1:" + webhook.port() + "/hook", "secret", "bench-secret"))).expect(201);
                admin.post("/api/alert-channels", Map.of("name", "ntfy", "kind", "ntfy", "config", Map.of(
                        "url", "http://127.0.0.1:" + ntfy.port(), "topic", "bench"))).expect(201);
                admin.post("/api/alert-channels", Map.of("name", "email", "kind", "email", "config", Map.of(
                        "smtp_host", "127.0.0.1", "smtp_port", mail.getSmtp().getPort(), "tls", "none",
                        "from", "bench@example.com", "to", List.of("oncall@example.com")))).expect(201);
                measure(config, report, admin, hostId, repo, source, webhook, ntfy, mail);
            } finally {
                mail.stop();
            }
        }
    }

    private static void measure(BenchConfig config, BenchReport report, Api admin, String hostId, Path repo,
                                Path source, AlertsTest.Receiver webhook, AlertsTest.Receiver ntfy, GreenMail mail)
            throws Exception {
        // mail arrival is watched by its own thread, so it is timed while the HTTP receivers are read
        List<Instant> mailed = new CopyOnWriteArrayList<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            int seen = 0;
            while (!Thread.currentThread().isInterrupted()) {
                int now = mail.getReceivedMessages().length;
                for (; seen < now; seen++) {
                    mailed.add(Instant.now());
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<Double> hooks = new ArrayList<>();
        List<Double> pushes = new ArrayList<>();
        List<Double> mails = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        try {
            for (int i = 0; i < config.alertSamples(); i++) {
                boolean breakIt = i % 2 == 0;
                if (breakIt) {
                    Files.move(repo.resolve("config"), repo.resolve("config.away"));
                } else {
                    Files.move(repo.resolve("config.away"), repo.resolve("config"));
                }
                JsonNode job = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths",
                                                                      List.of(source.toString())));
                String state = breakIt ? "firing" : "resolved";
                if (!job.path("status").asText().equals(breakIt ? "failed" : "succeeded")) {
                    throw new IllegalStateException("backup " + i + " ended " + job.path("status").asText());
                }
                Instant ended = Instant.parse(job.path("finished_at").asText());
                double hook = Duration.between(ended, webhook.await("\"state\":\"" + state + "\"",
                                                                   Duration.ofSeconds(30)).at()).toMillis();
                double push = Duration.between(ended, ntfy.await(state, Duration.ofSeconds(30)).at()).toMillis();
                Await.until(Duration.ofSeconds(30), "mail " + (i + 1), () -> mailed.size() > mails.size());
                double sent = Duration.between(ended, mailed.get(mails.size())).toMillis();
                hooks.add(hook);
                pushes.add(push);
                mails.add(sent);
                all.addAll(List.of(hook, push, sent));
            }
        } finally {
            watcher.interrupt();
        }
        row(report, "webhook", hooks);
        row(report, "ntfy", pushes);
        row(report, "e-mail", mails);
        BenchStats stats = BenchStats.of(all);
        report.add(NAME, "failed backup → notification received p50", stats.median(), "ms", Goal.NONE,
                   all.size() + " notifications (fired and resolved) over webhook, ntfy and e-mail");
        report.add(NAME, "failed backup → notification received p99", stats.percentile(99), "ms", Goal.atMost(2000),
                   "job end (finished_at) → the receiver has it");
    }

    private static void row(BenchReport report, String channel, List<Double> samples) {
        BenchStats s = BenchStats.of(samples);
        report.add(NAME, channel + " p50 / max", s.median(), "ms", Goal.NONE,
                   "max " + Math.round(s.max()) + " ms over " + samples.size());
    }
}
