-- Audit retention: rows leave the append-only log only when older than the retention cutoff, which only
-- moves forward. Every other DELETE (and every UPDATE) is still refused by the triggers.
CREATE TABLE audit_retention (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    cutoff TEXT NOT NULL
);
INSERT INTO audit_retention (id, cutoff) VALUES (1, '');
CREATE TRIGGER audit_retention_forward BEFORE UPDATE ON audit_retention WHEN new.cutoff < old.cutoff BEGIN SELECT RAISE(ABORT, 'the audit retention cutoff only moves forward'); END;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN old.at >= (SELECT cutoff FROM audit_retention WHERE id = 1) BEGIN SELECT RAISE(ABORT, 'audit_log is append-only; rows leave only by retention'); END;

-- API tokens belong to the user who made them (they end with that user) and expire.
ALTER TABLE api_tokens ADD COLUMN owner_id TEXT REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET owner_id = (SELECT u.id FROM users u WHERE u.username = api_tokens.created_by);
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days');
CREATE INDEX api_tokens_owner ON api_tokens (owner_id);
