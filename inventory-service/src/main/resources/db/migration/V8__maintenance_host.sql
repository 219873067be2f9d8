-- The enrolled host that runs this repository's forget, prune and check with its full credential (NULL = each
-- backed-up host runs its own), and whether agents may keep their offline lease on disk (0 = memory only).
ALTER TABLE repos ADD COLUMN maintenance_host_id TEXT;
ALTER TABLE repos ADD COLUMN lease_on_disk INTEGER NOT NULL DEFAULT 0;
