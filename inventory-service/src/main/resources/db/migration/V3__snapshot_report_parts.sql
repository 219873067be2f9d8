-- Parts of a snapshots.report too long for one frame (agent-hub frames are capped at 1 MiB). They wait
-- here until every part of their report_id arrived, then replace the projection as one list and go.
-- at = the hub's receipt time of the part (the report's time is its earliest part's), received_at =
-- when we last got it here (repeats refresh it). Reports with no new part for an hour are purged.
CREATE TABLE snapshot_report_parts (
    report_id   TEXT    NOT NULL,
    part        INTEGER NOT NULL,
    parts       INTEGER NOT NULL,
    repo_id     TEXT    NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    host_id     TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    snapshots   TEXT    NOT NULL,
    PRIMARY KEY (report_id, part)
);

CREATE INDEX snapshot_report_parts_received ON snapshot_report_parts (received_at, report_id);

-- Part-numbered reports already applied (or found stale), so a late repeat of one of their parts
-- does not start them again. Kept as long as processed_events.
CREATE TABLE snapshot_reports_done (
    report_id TEXT PRIMARY KEY,
    done_at   TEXT NOT NULL
);

CREATE INDEX snapshot_reports_done_at ON snapshot_reports_done (done_at);
