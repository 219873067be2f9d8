-- Whether the agent runs as root (from host.facts): restores of root-owned paths need it.
ALTER TABLE hosts ADD COLUMN runs_as_root INTEGER;
