-- A host's default backup hooks (run before and after its backups unless a schedule has its own), sealed like
-- repository secrets, with the shell that runs them and their timeout.
CREATE TABLE host_hooks (
    host_id     TEXT PRIMARY KEY,
    pre_sealed  TEXT,
    post_sealed TEXT,
    shell_json  TEXT,
    timeout_s   INTEGER,
    updated_at  TEXT NOT NULL
);
