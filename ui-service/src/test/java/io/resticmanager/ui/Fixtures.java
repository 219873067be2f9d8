package io.resticmanager.ui;

/** Canned API answers shaped like /work/shared/API.md. */
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

    static final String SNAPSHOTS = """
            {"items":[{"id":"a1b2c3d4e5f6a7b8c9d0","short_id":"a1b2c3d4","time":"2026-11-26T09:00:00Z",
              "paths":["/etc","/home"],"tags":["daily"],"hostname":"web-1","summary":{"data_added":2048}},
             {"id":"ffeeddccbbaa99887766","short_id":"ffeeddcc","time":"2026-11-25T09:00:00Z",
              "paths":["/etc"],"tags":[],"hostname":"web-1"}],
             "next_cursor":"c-2"}""";

    static final String JOBS = """
            {"items":[{"id":"%s","host_id":"%s","kind":"backup","status":"succeeded","created_by":"alice",
              "created_at":"2026-11-26T08:59:00Z","started_at":"2026-11-26T09:00:00Z",
              "finished_at":"2026-11-26T09:03:12Z","exit_code":0}],"next_cursor":null}""".formatted(JOB, WEB);

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

    private Fixtures() {
    }

    /** Resets the stub to what every page needs: the host list, the repositories, web-1 and its snapshots. */
    static StubGateway fleet(StubGateway gateway) {
        gateway.reset();
        return gateway.on("GET", "/api/hosts", 200, HOSTS)
                .on("GET", "/api/repos", 200, REPOS)
                .on("GET", "/api/hosts/" + WEB, 200, WEB_HOST)
                .on("GET", "/api/hosts/" + WEB + "/snapshots", 200, SNAPSHOTS);
    }
}
