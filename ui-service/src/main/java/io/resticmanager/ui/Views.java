package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.view.HostRepoView;
import io.resticmanager.proto.view.HostView;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** View models shared by several pages: from the public view records (proto.view), and leniently from API JSON where
 * a page must not fail on a missing field (alerts). */
final class Views {
    /** The version of this server build, which agents are compared against. */
    static final String SERVER_VERSION = io.resticmanager.proto.Versions.of(Views.class);

    private Views() {
    }

    /** A status as colour (css {@code key}), shape ({@code icon}) and words ({@code label}). */
    record Badge(String key, String label, String icon) {
    }

    /** A problem to show next to the thing that caused it. */
    record ProblemView(String title, String detail) {
        static ProblemView of(ApiException e) {
            return new ProblemView(e.title(), e.detail());
        }

        static ProblemView invalid(String detail) {
            return new ProblemView("Please check the form", detail);
        }
    }

    /** A select option. */
    record Option(String value, String label, boolean selected) {
    }

    static Badge hostBadge(String status) {
        return switch (status == null ? "" : status) {
            case "online" -> new Badge("online", "Online", "●");
            case "offline" -> new Badge("offline", "Offline", "○");
            case "disabled" -> new Badge("disabled", "Disabled", "⊘");
            default -> new Badge("unknown", "Unknown", "?");
        };
    }

    static Badge jobBadge(String status) {
        return switch (status == null ? "" : status) {
            case "queued" -> new Badge("queued", "Queued", "◷");
            case "running" -> new Badge("running", "Running", "↻");
            case "succeeded" -> new Badge("succeeded", "Succeeded", "✓");
            case "succeeded_with_warnings" -> new Badge("warning", "Succeeded with warnings", "⚠");
            case "failed" -> new Badge("failed", "Failed", "✗");
            case "cancelled" -> new Badge("cancelled", "Cancelled", "⊘");
            case "lost" -> new Badge("lost", "Lost", "?");
            default -> new Badge("unknown", status == null || status.isBlank() ? "Unknown" : status, "?");
        };
    }

    /** An alert's severity; critical, warning and info each have their own shape. */
    static Badge severityBadge(String severity) {
        return switch (severity == null ? "" : severity) {
            case "critical" -> new Badge("critical", "Critical", "‼");
            case "warning" -> new Badge("warning", "Warning", "⚠");
            case "info" -> new Badge("info", "Info", "ℹ");
            default -> new Badge("unknown", severity == null || severity.isBlank() ? "Unknown" : severity, "?");
        };
    }

    static int severityRank(String severity) {
        return switch (severity == null ? "" : severity) {
            case "critical" -> 3;
            case "warning" -> 2;
            case "info" -> 1;
            default -> 0;
        };
    }

    static Badge alertStateBadge(String state) {
        return switch (state == null ? "" : state) {
            case "firing" -> new Badge("firing", "Firing", "◉");
            case "acknowledged" -> new Badge("acknowledged", "Acknowledged", "◐");
            case "resolved" -> new Badge("resolved", "Resolved", "✓");
            default -> new Badge("unknown", state == null || state.isBlank() ? "Unknown" : state, "?");
        };
    }

    /** The alert rules (docs/API.md, "Alerts") with what people call them. */
    static final List<String> RULES = List.of("backup_failed", "check_failed", "maintenance_failed", "host_offline",
                                              "rpo_breached", "agent_outdated", "repo_locked", "drill_failed");

    static String ruleLabel(String rule) {
        return switch (rule == null ? "" : rule) {
            case "backup_failed" -> "Backup failed";
            case "check_failed" -> "Check failed";
            case "maintenance_failed" -> "Forget/prune failed";
            case "host_offline" -> "Host offline";
            case "rpo_breached" -> "Recovery point missed";
            case "agent_outdated" -> "Agent outdated";
            case "repo_locked" -> "Repository locked";
            case "drill_failed" -> "Restore drill failed";
            default -> rule == null || rule.isBlank() ? "Alert" : rule;
        };
    }

    /** "1 firing alert", "3 firing alerts". */
    static String firingLabel(int n) {
        return n + (n == 1 ? " firing alert" : " firing alerts");
    }

    /** One firing alert as a host card or the host header lists it. */
    record AlertLine(String id, Badge severity, String rule, String summary, Format.When fired, boolean silenced) {
        static AlertLine of(JsonNode a, Instant now) {
            return new AlertLine(Nodes.text(a, "id", ""), severityBadge(Nodes.text(a, "severity")),
                                 ruleLabel(Nodes.text(a, "rule")), Nodes.text(a, "summary", null),
                                 Format.when(Nodes.instant(a, "fired_at"), now), a.path("silenced").asBoolean(false));
        }
    }

    /**
     * A host's firing alerts: how many, as a badge in the colour and shape of the worst severity ("2 firing alerts"),
     * or a green "No firing alerts".
     */
    record HostAlerts(String hostId, int firing, Badge badge, List<AlertLine> items) {
        static HostAlerts of(String hostId, List<JsonNode> firing, Instant now) {
            List<JsonNode> mine = firing.stream()
                    .filter(a -> "firing".equals(Nodes.text(a, "state", "firing")))
                    .toList();
            if (mine.isEmpty()) {
                return new HostAlerts(hostId, 0, new Badge("succeeded", "No firing alerts", "✓"), List.of());
            }
            String worst = mine.stream().map(a -> Nodes.text(a, "severity"))
                    .max(java.util.Comparator.comparingInt(Views::severityRank)).orElse(null);
            Badge severity = severityBadge(worst);
            return new HostAlerts(hostId, mine.size(), new Badge(severity.key(), firingLabel(mine.size()),
                                                                 severity.icon()),
                                  mine.stream().map(a -> AlertLine.of(a, now)).toList());
        }

        boolean any() {
            return firing > 0;
        }
    }

    static boolean terminal(String jobStatus) {
        return jobStatus != null && !jobStatus.equals("queued") && !jobStatus.equals("running");
    }

    static String kindLabel(String kind) {
        if (kind == null || kind.isBlank()) {
            return "Job";
        }
        if (kind.equals("drill")) {
            return "Restore drill";
        }
        return kind.substring(0, 1).toUpperCase(Locale.ROOT) + kind.substring(1);
    }

    /** The last backup as the host card and host page show it. */
    record LastBackup(String jobId, Badge badge, Format.When when, String sizeAdded) {
        static LastBackup of(HostView.LastBackup lb, Instant now) {
            if (lb == null) {
                return null;
            }
            return new LastBackup(lb.jobId(), jobBadge(lb.status()), Format.when(lb.finishedAt(), now),
                                  lb.dataAdded() != null ? "+" + Format.bytes(lb.dataAdded()) : null);
        }

        boolean failed() {
            return "failed".equals(badge.key());
        }
    }

    /** The host's latest restore drill as its page shows it: outcome, when, which snapshot it restored. */
    record LastDrill(String jobId, Badge badge, Format.When when, String snapshot) {
        static LastDrill of(HostView.LastDrill d, Instant now) {
            if (d == null) {
                return null;
            }
            return new LastDrill(d.jobId(), jobBadge(d.status()), Format.when(d.finishedAt(), now),
                                 d.snapshotId() == null ? null : shortId(d.snapshotId()));
        }
    }

    /**
     * One repository a host backs up to (the single-host view lists them; primary first). {@code behind}: how far
     * this repository's newest snapshot trails the primary one's, when by more than a day (a stale off-site copy).
     */
    record RepoLink(String repoId, String name, String role, boolean primary, Format.When lastSnapshot,
                    long snapshotCount, Format.When lastCopy, String lastCopyStatus, String behind) {
        static final Duration STALE = Duration.ofDays(1);

        static List<RepoLink> of(List<HostRepoView> repos, Instant now) {
            if (repos == null) {
                return List.of();
            }
            Instant newestPrimary = null;
            for (HostRepoView r : repos) {
                if (r.primary()) {
                    newestPrimary = r.lastSnapshotAt();
                }
            }
            List<RepoLink> out = new java.util.ArrayList<>();
            for (HostRepoView r : repos) {
                Instant newest = r.lastSnapshotAt();
                String behind = null;
                if (!r.primary() && newestPrimary != null
                        && (newest == null || Duration.between(newest, newestPrimary).compareTo(STALE) > 0)) {
                    behind = newest == null ? "holds none of this host's snapshots yet"
                            : "trails the primary by " + Format.duration(Duration.between(newest, newestPrimary));
                }
                HostRepoView.Result copy = r.lastCopy();
                out.add(new RepoLink(Objects.requireNonNullElse(r.repoId(), ""),
                                     Objects.requireNonNullElse(r.name(), ""),
                                     Objects.requireNonNullElse(r.role(), ""), r.primary(), Format.when(newest, now),
                                     r.snapshotCount(), copy == null ? null : Format.when(copy.finishedAt(), now),
                                     copy == null ? null : copy.status(), behind));
            }
            return out;
        }
    }

    record HostSummary(String id, String name, Badge status, String os, String arch, String agentVersion,
                       String resticVersion, List<String> tags, String repoId, String repoName,
                       Format.When lastSeen, LastBackup lastBackup, Format.When nextRun, boolean disabled,
                       List<RepoLink> repos, int repoCount, Format.When secondarySnapshot, HostAlerts alerts,
                       Charts.Sparkline sparkline, LastDrill lastDrill) {
        static HostSummary of(HostView host, Map<String, String> repoNames, Instant now) {
            String repoId = host.repoId();
            String repoName = repoId == null ? null : repoNames.getOrDefault(repoId, shortId(repoId));
            return new HostSummary(Objects.requireNonNullElse(host.id(), ""),
                                   Objects.requireNonNullElse(host.name(), "(unnamed host)"), hostBadge(host.status()),
                                   host.os(), host.arch(), host.agentVersion(), host.resticVersion(), host.tags(),
                                   repoId, repoName, Format.when(host.lastSeenAt(), now),
                                   LastBackup.of(host.lastBackup(), now), null, host.disabled(),
                                   RepoLink.of(host.repos(), now),
                                   host.repoCount() == null ? 0 : host.repoCount(),
                                   Format.when(host.secondarySnapshotAt(), now), null, null,
                                   LastDrill.of(host.lastDrill(), now));
        }

        boolean hasTags() {
            return !tags.isEmpty();
        }

        /** "1 minor version behind" when this host's agent is older than the server, else null. */
        String agentBehind() {
            return agentVersion == null ? null : io.resticmanager.proto.Versions.behind(agentVersion, SERVER_VERSION)
                    .map(io.resticmanager.proto.Versions.Behind::words).orElse(null);
        }

        /** True when the host runs a restic older than the oldest supported one. */
        boolean resticOld() {
            return resticVersion != null && io.resticmanager.proto.Versions.readable(resticVersion)
                    && io.resticmanager.proto.Versions.compare(resticVersion,
                                                               io.resticmanager.proto.Versions.MIN_RESTIC) < 0;
        }

        String minRestic() {
            return io.resticmanager.proto.Versions.MIN_RESTIC;
        }

        /** For the dashboard card: "2 repositories", when there are several. */
        String repoCountText() {
            return repoCount > 1 ? repoCount + " repositories" : null;
        }

        /** Backs up to more than one repository (3-2-1): the page lists them all. */
        boolean multiRepo() {
            return repos.size() > 1;
        }

        /** The repositories other than the primary one (copy destinations, links that can be removed). */
        List<RepoLink> secondaryRepos() {
            return repos.stream().filter(r -> !r.primary()).toList();
        }

        /** The same host with the next run its schedules give (jobs-service owns schedules); kept when null. */
        HostSummary withNextRun(Format.When next) {
            return next == null ? this : new HostSummary(id, name, status, os, arch, agentVersion, resticVersion, tags,
                                                         repoId, repoName, lastSeen, lastBackup, next, disabled, repos,
                                                         repoCount, secondarySnapshot, alerts, sparkline, lastDrill);
        }

        /** The same host with its firing alerts (null: they could not be read, nothing is shown). */
        HostSummary withAlerts(HostAlerts a) {
            return new HostSummary(id, name, status, os, arch, agentVersion, resticVersion, tags, repoId, repoName,
                                   lastSeen, lastBackup, nextRun, disabled, repos, repoCount, secondarySnapshot, a,
                                   sparkline, lastDrill);
        }

        /** The same host with its primary repository's size sparkline (null: none to show). */
        HostSummary withSparkline(Charts.Sparkline line) {
            return new HostSummary(id, name, status, os, arch, agentVersion, resticVersion, tags, repoId, repoName,
                                   lastSeen, lastBackup, nextRun, disabled, repos, repoCount, secondarySnapshot, alerts,
                                   line, lastDrill);
        }

        String platform() {
            if (os == null && arch == null) {
                return null;
            }
            return (os == null ? "" : os) + (arch == null ? "" : (os == null ? "" : "/") + arch);
        }
    }

    static String shortId(String id) {
        return id == null ? "" : id.length() > 8 ? id.substring(0, 8) : id;
    }

    /** "3 min 12 s" between start and end (or now, while running). */
    static String duration(Instant start, Instant end, Instant now) {
        if (start == null) {
            return null;
        }
        return Format.duration(Duration.between(start, end == null ? now : end));
    }
}
