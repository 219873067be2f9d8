-- A backup schedule's own pre/post hooks (instead of its host's defaults), sealed like repository secrets.
CREATE TABLE schedule_hooks (
    schedule_id TEXT PRIMARY KEY,
    pre_sealed  TEXT,
    post_sealed TEXT,
    updated_at  TEXT NOT NULL
);
