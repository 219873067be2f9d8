-- The agent and restic versions each host reported at its last hello (for agent_outdated), and the two rules that
-- read them and restic's lock failures.
ALTER TABLE hosts ADD COLUMN agent_version TEXT;
ALTER TABLE hosts ADD COLUMN restic_version TEXT;
INSERT INTO alert_rules (rule, severity, threshold_s) VALUES
    ('agent_outdated', 'warning', NULL),
    ('repo_locked', 'warning', 3600);
