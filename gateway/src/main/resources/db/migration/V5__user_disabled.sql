-- A disabled user keeps its row (and the audit trail names it) but can do nothing: no login, its sessions are
-- deleted when it is disabled, and its API tokens stop working (their owner lookup skips disabled users).
ALTER TABLE users ADD COLUMN disabled_at TEXT;
