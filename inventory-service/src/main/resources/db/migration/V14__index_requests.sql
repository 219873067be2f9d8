-- Background indexing (IndexBackfill): snapshots inventory asked a host's agent to index because the tree index
-- lacks them (taken before the index existed, while the agent was offline, or outside restic-manager). asked_at and
-- next_at are epoch milliseconds; a snapshot that keeps failing is asked ever more rarely (next_at backs off).
-- A row goes away once its snapshot is indexed or forgotten.
CREATE TABLE index_requests (
    repo_id     TEXT    NOT NULL,
    snapshot_id TEXT    NOT NULL,
    host_id     TEXT    NOT NULL,
    attempts    INTEGER NOT NULL,
    asked_at    INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    last_result TEXT,
    PRIMARY KEY (repo_id, snapshot_id)
);

CREATE INDEX index_requests_host ON index_requests (host_id, asked_at);
