-- agent-hub.db: every statement the hub runs, by name (reads through DbClient, writes through the store's one
-- writer). Times are fixed-width UTC text (service-kit Times), so they compare and sort as strings.

-- name: enrollment-tokens.insert
INSERT INTO enrollment_tokens (id, name, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?);

-- name: enrollment-tokens.list
SELECT id, name, created_by, created_at, expires_at, used_at, used_by_host
FROM enrollment_tokens
ORDER BY created_at DESC;

-- Consumes a token (args: now, host id, token hash, now). Of two enrolls with one token exactly one changes a row:
-- the store runs one write transaction at a time.
-- name: enrollment-tokens.consume
UPDATE enrollment_tokens SET used_at = ?, used_by_host = ?
WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?;

-- name: agents.insert
INSERT INTO agents (host_id, token_hash, hostname, os, arch, agent_version, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?);

-- The agent owning a credential hash, unless revoked.
-- name: agents.by-token-hash
SELECT host_id, hostname, os, arch, agent_version, restic_version, protocol_version, disabled, revoked_at,
       enrolled_at, last_seen_at
FROM agents
WHERE token_hash = ? AND revoked_at IS NULL;

-- name: agents.by-id
SELECT host_id, hostname, os, arch, agent_version, restic_version, protocol_version, disabled, revoked_at,
       enrolled_at, last_seen_at
FROM agents
WHERE host_id = ?;

-- name: agents.list
SELECT host_id, hostname, os, arch, agent_version, restic_version, protocol_version, disabled, revoked_at,
       enrolled_at, last_seen_at
FROM agents
WHERE revoked_at IS NULL
ORDER BY hostname;

-- Deletes the credential; the first revocation time stays (args: now, host id).
-- name: agents.revoke
UPDATE agents SET token_hash = NULL, revoked_at = COALESCE(revoked_at, ?) WHERE host_id = ?;

-- name: agents.set-disabled
UPDATE agents SET disabled = ? WHERE host_id = ?;

-- name: agents.online
SELECT host_id, last_seen_at FROM agents WHERE online = 1;

-- name: agents.clear-online
UPDATE agents SET online = 0 WHERE online = 1;

-- Args: hostname, os, arch, agent version, restic version, protocol version, last seen, host id.
-- name: agents.mark-online
UPDATE agents
SET hostname = ?, os = COALESCE(?, os), arch = COALESCE(?, arch), agent_version = ?, restic_version = ?,
    protocol_version = ?, online = 1, last_seen_at = ?
WHERE host_id = ?;

-- Last seen only moves forward (args: last seen, last seen, host id).
-- name: agents.mark-offline
UPDATE agents SET online = 0, last_seen_at = MAX(COALESCE(last_seen_at, ?), ?) WHERE host_id = ?;

-- Args: last seen, host id, last seen.
-- name: agents.touch
UPDATE agents SET last_seen_at = ? WHERE host_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?);

-- Args: host id, type, at, payload (JSON text), to_jobs (0/1), to_inventory (0/1).
-- name: outbox.insert
INSERT INTO outbox (host_id, type, at, payload, to_jobs, to_inventory) VALUES (?, ?, ?, ?, ?, ?);

-- The oldest events a receiver has not confirmed yet, in order (arg: limit); one statement per receiver so each
-- uses its partial index.
-- name: outbox.pending-jobs
SELECT id, host_id, type, at, payload FROM outbox WHERE to_jobs = 1 ORDER BY id LIMIT ?;

-- name: outbox.pending-inventory
SELECT id, host_id, type, at, payload FROM outbox WHERE to_inventory = 1 ORDER BY id LIMIT ?;

-- name: outbox.pending-count-jobs
SELECT COUNT(*) AS n FROM outbox WHERE to_jobs = 1;

-- name: outbox.pending-count-inventory
SELECT COUNT(*) AS n FROM outbox WHERE to_inventory = 1;

-- name: outbox.delivered-jobs
UPDATE outbox SET to_jobs = 0 WHERE id = ?;

-- name: outbox.delivered-inventory
UPDATE outbox SET to_inventory = 0 WHERE id = ?;

-- A row leaves the outbox once every receiver has it.
-- name: outbox.delete-done
DELETE FROM outbox WHERE id = ? AND to_jobs = 0 AND to_inventory = 0;
