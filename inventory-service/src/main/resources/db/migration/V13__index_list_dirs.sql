-- A directory's subdirectories by name, so a page of a huge directory (directories first) reads only its own rows.
-- Partial: only directory entries (a small share of all entries) pay for it.
CREATE INDEX index_nodes_dirs ON index_nodes (tid, name) WHERE sub IS NOT NULL;
