package io.resticmanager.ui;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.view.JobView;
import io.resticmanager.proto.view.Page;
import io.resticmanager.proto.view.SnapshotView;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Canned API answers shaped like docs/API.md. */
final class Fixtures {
    static final String WEB = "11111111-aaaa-4000-8000-000000000001";
    static final String DB = "22222222-bbbb-4000-8000-000000000002";
    static final String OLD = "33333333-cccc-4000-8000-000000000003";
    static final String NEW_HOST = "44444444-dddd-4000-8000-000000000004";
    static final String REPO = "55555555-eeee-4000-8000-000000000005";
    static final String JOB = "66666666-ffff-4000-8000-000000000006";

    static final String WEB_HOST = """
            {"id":"%s","name":"web-1","status":"online","last_seen_at":"2026-11-26T10:00:00Z","os":"linux",
             "arch":"amd64","agent_version":"0.1.0","restic_version":"0.14.0","tags":["prod","web"],
             "repo_id":"%s","last_backup":{"job_id":"%s","status":"succeeded",
             "finished_at":"2026-11-26T09:00:00Z","data_added":1288490189}}""".formatted(WEB, REPO, JOB);

    static final String HOSTS = """
            {"items":[%s,
             {"id":"%s","name":"db-1","status":"offline","last_seen_at":"2026-11-25T10:00:00Z","tags":["prod"],
              "repo_id":"%s","last_backup":{"job_id":"j-2","status":"failed","finished_at":"2026-11-26T08:00:00Z"}},
             {"id":"%s","name":"old-box","status":"disabled","tags":[],"repo_id":null,"last_backup":null}
            ]}""".formatted(WEB_HOST, DB, REPO, OLD);

    static final String REPOS = """
            {"items":[{"id":"%s","name":"nas","url":"sftp:backup@nas:/srv/restic","has_prune_credential":true,
              "stats":{"total_size":5368709120,"snapshot_count":42}}]}""".formatted(REPO);

    /** {@code GET /api/repos/{id}} of "nas": its prune credential, maintenance host (a JSON value) and offline lease. */
    static String repo(boolean hasPrune, String maintenanceHostId, int leaseDays, boolean leaseOnDisk) {
        return """
                {"id":"%s","name":"nas","url":"sftp:backup@nas:/srv/restic","env_keys":[],"has_prune_credential":%s,
                 "host_count":2,"stats":{"total_size":5368709120,"snapshot_count":42},
                 "created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-20T10:00:00Z","offline_lease_days":%d,
                 "offline_lease_on_disk":%s,"maintenance_host_id":%s}""".formatted(
                REPO, hasPrune, leaseDays, leaseOnDisk, maintenanceHostId == null ? "null" : "\"" + maintenanceHostId + "\"");
    }

    /** web-1's snapshot page, written from the public view records: the shape inventory-service writes. */
    static final String SNAPSHOTS = Json.write(new Page<>(List.of(
            new SnapshotView("a1b2c3d4e5f6a7b8c9d0", "a1b2c3d4", Instant.parse("2026-11-26T09:00:00Z"),
                             List.of("/etc", "/home"), List.of("daily"), "web-1", null, null, null,
                             Map.of("data_added", 2048), true),
            new SnapshotView("ffeeddccbbaa99887766", "ffeeddcc", Instant.parse("2026-11-25T09:00:00Z"),
                             List.of("/etc"), List.of(), "web-1", null, null, null, null, false)), "c-2"));

    /** web-1's jobs page, written from the public view records: the shape jobs-service writes. */
    static final String JOBS = Json.write(new Page<>(List.of(new JobView(
            JOB, WEB, null, JobKind.BACKUP, JobStatus.SUCCEEDED, null, "alice", null,
            Instant.parse("2026-11-26T08:59:00Z"), Instant.parse("2026-11-26T09:00:00Z"),
            Instant.parse("2026-11-26T09:03:12Z"), 0, null, null, null, null, null, null, null, null, false)), null));

    static final String JOB_DONE = """
            {"id":"%s","host_id":"%s","kind":"backup","status":"succeeded","created_by":"alice",
             "created_at":"2026-11-26T08:59:00Z","started_at":"2026-11-26T09:00:00Z",
             "finished_at":"2026-11-26T09:03:12Z","exit_code":0,
             "summary":{"files_new":3,"files_changed":1,"files_unmodified":120,"data_added":1234567,
                        "total_duration":192.4,"snapshot_id":"1a2b3c4d"}}""".formatted(JOB, WEB);

    static final String JOB_RUNNING = """
            {"id":"%s","host_id":"%s","kind":"backup","status":"running","created_by":"alice",
             "created_at":"2026-11-26T08:59:00Z","started_at":"2026-11-26T09:00:00Z"}""".formatted(JOB, WEB);

    static final String LOGS = """
            {"items":[{"seq":1,"ts":"2026-11-26T09:00:01Z","stream":"stdout","line":"open repository"},
                      {"seq":2,"ts":"2026-11-26T09:00:02Z","stream":"stderr","line":"warning: <unreadable> /root"}]}""";

    static final String NO_LOGS = "{\"items\":[]}";

    static final String SCHEDULE = "77777777-aaaa-4000-8000-000000000007";

    /** web-1: a nightly backup (ran once) and a weekly forget; db-1: a paused prune (no next run). */
    static final String SCHEDULES = """
            {"items":[{"id":"%s","host_id":"%s","name":"nightly","cron":"0 2 * * *","timezone":"Europe/Berlin",
              "kind":"backup","paths":["/etc","/home"],"excludes":[],"tags":[],"policy":null,"enabled":true,
              "next_run_at":"2026-11-27T01:00:00Z",
              "last_run":{"job_id":"%s","status":"succeeded","at":"2026-11-26T01:03:12Z"}},
             {"id":"s-forget","host_id":"%s","name":"weekly retention","cron":"0 3 * * 0","timezone":"UTC",
              "kind":"forget","paths":[],"policy":{"keep_daily":7,"keep_weekly":4,"keep_tags":[]},"enabled":true,
              "next_run_at":"2026-11-29T03:00:00Z","last_run":null},
             {"id":"s-prune","host_id":"%s","name":"prune","cron":"0 4 1 * *","timezone":"UTC","kind":"prune",
              "enabled":false,"next_run_at":null,"last_run":null}
            ]}""".formatted(SCHEDULE, WEB, JOB, WEB, DB);

    /**
     * web-1: a nightly backup with both hooks of its own and a weekly backup without (runs the host's defaults), as
     * {@code GET /api/schedules} answers an admin (the text); others get only {@code has_pre_hook}/{@code has_post_hook}.
     */
    static final String HOOKED_SCHEDULES = """
            {"items":[{"id":"%s","host_id":"%s","name":"nightly","cron":"0 2 * * *","timezone":"UTC","kind":"backup",
              "paths":["/srv"],"excludes":[],"tags":[],"enabled":true,"next_run_at":"2026-11-27T02:00:00Z",
              "last_run":null,"has_pre_hook":true,"has_post_hook":true,"pre_hook":"systemctl stop app",
              "post_hook":"systemctl start app\\necho restarted"},
             {"id":"s-weekly","host_id":"%s","name":"weekly","cron":"0 3 * * 0","timezone":"UTC","kind":"backup",
              "paths":["/home"],"excludes":[],"tags":[],"enabled":true,"next_run_at":"2026-11-29T03:00:00Z",
              "last_run":null,"has_pre_hook":false,"has_post_hook":false}
            ]}""".formatted(SCHEDULE, WEB, WEB);

    /** {@code GET /api/hosts/{web-1}/hooks} as admins get it: a default pre-hook (its text), no post-hook. */
    static final String HOST_HOOKS_ADMIN = """
            {"has_pre_hook":true,"has_post_hook":false,"pre_hook":"pg_dump -Fc app -f /var/backups/app.dump",
             "hook_shell":["/bin/sh","-c"],"hook_timeout_s":900}""";

    /** The same for viewers and operators: whether a hook is set, never its text. */
    static final String HOST_HOOKS = """
            {"has_pre_hook":true,"has_post_hook":false,"hook_shell":["/bin/sh","-c"],"hook_timeout_s":900}""";

    static final String ALERT_WEB = "88888888-aaaa-4000-8000-000000000001";
    static final String ALERT_DB = "88888888-aaaa-4000-8000-000000000002";
    static final String ALERT_ACKED = "88888888-aaaa-4000-8000-000000000003";
    static final String ALERT_RESOLVED = "88888888-aaaa-4000-8000-000000000004";

    /** {@code GET /api/alerts} as the API orders it: two firing (db-1's silenced), one acknowledged, one resolved. */
    static final String ALERTS = """
            {"items":[
             {"id":"%s","rule":"backup_failed","severity":"critical","state":"firing","host_id":"%s","schedule_id":"%s",
              "repo_id":"%s","job_id":"%s","summary":"backup of web-1 failed: repository is locked",
              "fired_at":"2026-11-26T09:00:00Z","acked_at":null,"acked_by":null,"resolved_at":null,"resolved_by":null,
              "last_notified_at":"2026-11-26T09:00:01Z","silenced":false},
             {"id":"%s","rule":"host_offline","severity":"warning","state":"firing","host_id":"%s","schedule_id":null,
              "repo_id":null,"job_id":null,"summary":"db-1 has been offline for 20 min",
              "fired_at":"2026-11-26T08:00:00Z","acked_at":null,"acked_by":null,"resolved_at":null,"resolved_by":null,
              "last_notified_at":null,"silenced":true},
             {"id":"%s","rule":"check_failed","severity":"critical","state":"acknowledged","host_id":"%s",
              "schedule_id":null,"repo_id":"%s","job_id":null,"summary":"check found damage in nas",
              "fired_at":"2026-11-25T08:00:00Z","acked_at":"2026-11-25T08:30:00Z","acked_by":"bob","resolved_at":null,
              "resolved_by":null,"last_notified_at":null,"silenced":false},
             {"id":"%s","rule":"rpo_breached","severity":"critical","state":"resolved","host_id":"%s",
              "schedule_id":null,"repo_id":null,"job_id":null,"summary":"old-box misses its recovery point objective",
              "fired_at":"2026-11-20T08:00:00Z","acked_at":null,"acked_by":null,"resolved_at":"2026-11-21T08:00:00Z",
              "resolved_by":"carol","last_notified_at":null,"silenced":false}
            ],"firing":2}""".formatted(ALERT_WEB, WEB, SCHEDULE, REPO, JOB, ALERT_DB, DB, ALERT_ACKED, WEB, REPO,
                                      ALERT_RESOLVED, OLD);

    /** {@code GET /api/alerts?state=firing&limit=500}: what the nav badge and the dashboard read. */
    static String firing(int count) {
        return "{\"items\":[],\"firing\":" + count + "}";
    }

    /** {@code GET /api/alerts/rpo}, worst first: old-box missed, a gone host without a schedule, db-1 close, web-1 fine. */
    static final String RPO = """
            {"items":[
             {"host_id":"%s","last_good_at":null,"target_s":86400,"age_s":null,"status":"red"},
             {"host_id":"99999999-0000-4000-8000-000000000009","last_good_at":"2026-11-20T09:00:00Z","target_s":null,
              "age_s":600000,"status":"no_schedule"},
             {"host_id":"%s","last_good_at":"2026-11-26T08:00:00Z","target_s":86400,"age_s":72000,"status":"amber"},
             {"host_id":"%s","last_good_at":"2026-11-26T09:00:00Z","target_s":172800,"age_s":10800,"status":"green"}
            ],"at":"2026-11-26T12:00:00Z"}""".formatted(OLD, DB, WEB);

    static final String CHANNEL = "aaaaaaaa-1111-4000-8000-00000000000a";

    static final String CHANNELS = """
            {"items":[
             {"id":"%s","name":"ops hook","kind":"webhook","config":{"url":"https://hooks.example.org/rm","secret":"***"},
              "rules":[],"min_severity":"warning","enabled":true,"created_at":"2026-11-01T10:00:00Z"},
             {"id":"c-mail","name":"on-call mail","kind":"email","config":{"smtp_host":"smtp.example.org",
              "smtp_port":587,"tls":"starttls","username":"rm","password":"***","from":"rm@example.org",
              "to":["ops@example.org","oncall@example.org"]},"rules":["backup_failed","rpo_breached"],
              "min_severity":"critical","enabled":false,"created_at":"2026-11-02T10:00:00Z"}
            ]}""".formatted(CHANNEL);

    static final String DELIVERIES = """
            {"items":[
             {"id":7,"alert_id":"%s","channel_id":"%s","state":"firing","status":"failed","attempts":1,"next_at":null,
              "last_error":"HTTP 401 from hooks.example.org","created_at":"2026-11-26T09:00:01Z","sent_at":null},
             {"id":6,"alert_id":"%s","channel_id":"c-mail","state":"firing","status":"sent","attempts":2,"next_at":null,
              "last_error":null,"created_at":"2026-11-26T08:00:01Z","sent_at":"2026-11-26T08:00:03Z"},
             {"id":5,"alert_id":"%s","channel_id":"%s","state":"resolved","status":"pending","attempts":3,
              "next_at":"2099-01-01T00:00:00Z","last_error":"connection refused","created_at":"2026-11-26T07:00:00Z",
              "sent_at":null}
            ]}""".formatted(ALERT_WEB, CHANNEL, ALERT_DB, ALERT_RESOLVED, CHANNEL);

    static final String SILENCES = """
            {"items":[{"id":"sil-1","rule":"host_offline","host_id":"%s","until":"2099-01-01T00:00:00Z",
              "reason":"rack move","created_by":"bob","created_at":"2026-11-26T07:00:00Z"},
             {"id":"sil-2","rule":null,"host_id":"%s","until":"2099-01-02T00:00:00Z","reason":null,"created_by":"bob",
              "created_at":"2026-11-26T07:00:00Z"}]}""".formatted(DB, OLD);

    /**
     * {@code GET /api/alerts/rules} in the API's order (by name): maintenance_failed off, check_failed never sent
     * again, rpo_breached on its default (null), repo_locked at 2 h; overrides for web-1, a schedule, old-box and a
     * host that is gone.
     */
    static final String RULES = """
            {"items":[
             {"rule":"agent_outdated","enabled":true,"severity":"warning","threshold_s":null,"renotify_s":86400},
             {"rule":"backup_failed","enabled":true,"severity":"critical","threshold_s":null,"renotify_s":14400},
             {"rule":"check_failed","enabled":true,"severity":"critical","threshold_s":null,"renotify_s":0},
             {"rule":"host_offline","enabled":true,"severity":"warning","threshold_s":900,"renotify_s":14400},
             {"rule":"maintenance_failed","enabled":false,"severity":"warning","threshold_s":null,"renotify_s":14400},
             {"rule":"repo_locked","enabled":true,"severity":"info","threshold_s":7200,"renotify_s":5400},
             {"rule":"rpo_breached","enabled":true,"severity":"critical","threshold_s":null,"renotify_s":14400}
            ],"overrides":[
             {"rule":"rpo_breached","subject":"schedule:%s","enabled":null,"threshold_s":172800},
             {"rule":"host_offline","subject":"host:%s","enabled":null,"threshold_s":3600},
             {"rule":"backup_failed","subject":"host:%s","enabled":false,"threshold_s":null},
             {"rule":"host_offline","subject":"host:99999999-0000-4000-8000-000000000009","enabled":true,
              "threshold_s":90}
            ]}""".formatted(SCHEDULE, WEB, OLD);

    /** The fleet counts of {@link #HOSTS}, as inventory's summary gives them. */
    static final String HOSTS_SUMMARY = """
            {"total":3,"online":1,"offline":1,"disabled":1,"failing":1,"tags":["prod","web"]}""";

    private Fixtures() {
    }

    /** Resets the stub to what every page needs: the host list, the repositories, web-1 and its snapshots. */
    static StubGateway fleet(StubGateway gateway) {
        gateway.reset();
        return gateway.on("GET", "/api/hosts", 200, HOSTS)
                .on("GET", "/api/hosts/summary", 200, HOSTS_SUMMARY)
                .on("GET", "/api/repos", 200, REPOS)
                .on("GET", "/api/hosts/" + WEB, 200, WEB_HOST)
                .on("GET", "/api/hosts/" + WEB + "/snapshots", 200, SNAPSHOTS);
    }
}
