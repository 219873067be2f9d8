-- Tree index (restore browsing and file search without the agent): each host's directory listings by content id.
-- A directory that did not change between snapshots keeps its id, so it is stored once for all of them.
-- tid is the compact key every node row carries; tree_id the agent-computed content id (TreeIndex.contentId).
-- complete = 0 while a large tree's pieces are still arriving: such a tree is never listed, searched or rooted.
CREATE TABLE index_trees (
    tid        INTEGER PRIMARY KEY,
    host_id    TEXT    NOT NULL,
    tree_id    TEXT    NOT NULL,
    entries    INTEGER NOT NULL,
    parts      INTEGER NOT NULL,
    received   INTEGER NOT NULL,
    complete   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    UNIQUE (host_id, tree_id)
);

-- One entry of a tree; sub is the tid of a directory's own tree (which was stored, complete, before this row).
-- mtime: epoch milliseconds. About 60-80 bytes per entry with the name index (docs/TREE-INDEX.md).
CREATE TABLE index_nodes (
    tid   INTEGER NOT NULL REFERENCES index_trees (tid) ON DELETE CASCADE,
    name  TEXT    NOT NULL,
    type  TEXT    NOT NULL,
    size  INTEGER NOT NULL,
    mtime INTEGER,
    sub   INTEGER,
    PRIMARY KEY (tid, name)
) WITHOUT ROWID;

CREATE INDEX index_nodes_name ON index_nodes (name);

CREATE INDEX index_nodes_sub ON index_nodes (sub) WHERE sub IS NOT NULL;

-- An indexed snapshot and its root tree; dropped when the snapshot leaves the projection (forget), after which
-- the sweep drops every tree no indexed snapshot reaches.
CREATE TABLE index_snapshots (
    repo_id     TEXT    NOT NULL,
    snapshot_id TEXT    NOT NULL,
    host_id     TEXT    NOT NULL,
    root        INTEGER NOT NULL REFERENCES index_trees (tid),
    files       INTEGER NOT NULL,
    dirs        INTEGER NOT NULL,
    indexed_at  TEXT    NOT NULL,
    PRIMARY KEY (repo_id, snapshot_id)
);

CREATE INDEX index_snapshots_host ON index_snapshots (host_id);

CREATE INDEX index_snapshots_root ON index_snapshots (root);
