-- gateway.db: every statement the gateway's stores run, by name (reads through DbClient, writes through the
-- store's one writer). Times are fixed-width UTC text (service-kit Times).

-- name: users.count-admins
SELECT COUNT(*) AS n FROM users WHERE role = 'admin';

-- name: users.count-active-admins
-- the admins who can still log in: the last of them is never demoted, disabled or deleted
SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND sso_refused_at IS NULL;

-- name: users.count-local-admins
SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND source = 'local';

-- name: users.insert
INSERT INTO users (id, username, password_hash, role, created_at, updated_at, source, break_glass)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: users.by-username
SELECT id, username, role, created_at, disabled_at, password_hash, source, break_glass, sso_refused_at FROM users
WHERE username = ?;

-- name: users.by-id
SELECT id, username, role, created_at, disabled_at, password_hash, source, break_glass, sso_refused_at FROM users
WHERE id = ?;

-- name: users.list
SELECT id, username, role, created_at, disabled_at, password_hash, source, break_glass, sso_refused_at FROM users
ORDER BY username;

-- name: users.update-role
UPDATE users SET role = ?, updated_at = ? WHERE id = ?;

-- name: users.update-password
UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?;

-- name: users.set-disabled
UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?;

-- name: users.update-break-glass
UPDATE users SET break_glass = ?, updated_at = ? WHERE id = ?;

-- name: users.sso-refuse
UPDATE users SET sso_refused_at = ?, updated_at = ? WHERE id = ?;

-- name: users.sso-clear
UPDATE users SET sso_refused_at = NULL, updated_at = ? WHERE id = ?;

-- name: users.count-break-glass
SELECT COUNT(*) AS n FROM users WHERE break_glass = 1 AND source = 'local' AND disabled_at IS NULL;

-- name: users.delete
DELETE FROM users WHERE id = ?;

-- name: sessions.insert
INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, source_ip) VALUES (?, ?, ?, ?, ?);

-- name: sessions.find
SELECT s.token_hash, s.created_at, s.last_seen_at, u.id, u.username, u.role, u.created_at AS user_created_at,
       u.source, u.break_glass
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = ? AND u.disabled_at IS NULL AND u.sso_refused_at IS NULL;

-- name: sessions.touch
UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?;

-- name: sessions.delete
DELETE FROM sessions WHERE token_hash = ?;

-- name: sessions.delete-for-user
DELETE FROM sessions WHERE user_id = ?;

-- name: sessions.delete-local-login
-- local login switched off: sessions of local accounts other than break-glass ones end
DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE source = 'local' AND break_glass = 0);

-- name: sessions.delete-expired
DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?;

-- name: tokens.insert
INSERT INTO api_tokens (id, name, token_hash, role, created_by, created_at, owner_id, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: tokens.by-hash
SELECT t.id, t.name, t.role, t.created_by, t.created_at, t.last_used_at, t.owner_id, u.username AS owner,
       u.role AS owner_role, t.expires_at, u.disabled_at AS owner_disabled_at
FROM api_tokens t JOIN users u ON u.id = t.owner_id
WHERE t.token_hash = ? AND u.disabled_at IS NULL AND u.sso_refused_at IS NULL;

-- name: tokens.by-id
SELECT t.id, t.name, t.role, t.created_by, t.created_at, t.last_used_at, t.owner_id, u.username AS owner,
       u.role AS owner_role, t.expires_at, u.disabled_at AS owner_disabled_at
FROM api_tokens t JOIN users u ON u.id = t.owner_id
WHERE t.id = ?;

-- name: tokens.exists
SELECT id FROM api_tokens WHERE id = ?;

-- name: tokens.list
SELECT t.id, t.name, t.role, t.created_by, t.created_at, t.last_used_at, t.owner_id, u.username AS owner,
       u.role AS owner_role, t.expires_at, u.disabled_at AS owner_disabled_at
FROM api_tokens t JOIN users u ON u.id = t.owner_id
ORDER BY t.created_at, t.name;

-- name: tokens.touch
UPDATE api_tokens SET last_used_at = ? WHERE id = ?;

-- name: tokens.delete
DELETE FROM api_tokens WHERE id = ?;

-- name: oidc.find
SELECT issuer, subject, user_id, groups_json, last_login_at FROM oidc_identities WHERE issuer = ? AND subject = ?;

-- name: oidc.insert
INSERT INTO oidc_identities (issuer, subject, user_id, groups_json, last_login_at) VALUES (?, ?, ?, ?, ?);

-- name: oidc.update
UPDATE oidc_identities SET groups_json = ?, last_login_at = ? WHERE issuer = ? AND subject = ?;

-- name: settings.get
SELECT local_login, updated_at, updated_by FROM auth_settings WHERE id = 1;

-- name: settings.set-local-login
UPDATE auth_settings SET local_login = ?, updated_at = ?, updated_by = ? WHERE id = 1;

-- name: audit.append
INSERT INTO audit_log (at, user, action, target, status, result, source_ip) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: audit.count-before
SELECT COUNT(*) FROM audit_log WHERE at < ?;

-- name: audit.move-cutoff
UPDATE audit_retention SET cutoff = MAX(cutoff, ?) WHERE id = 1;

-- name: audit.delete-before
DELETE FROM audit_log WHERE at < ?;

-- name: audit.find
-- each filter is given twice: NULL means "any"
SELECT id, at, user, action, target, status, result, source_ip FROM audit_log
WHERE (? IS NULL OR user = ?)
  AND (? IS NULL OR action = ? OR action LIKE ? ESCAPE '\')
  AND (? IS NULL OR target LIKE ? ESCAPE '\')
  AND (? IS NULL OR result = ?)
  AND (? IS NULL OR at >= ?)
  AND (? IS NULL OR at < ?)
  AND (? IS NULL OR id < ?)
ORDER BY id DESC
LIMIT ?;

-- name: audit.count
-- the same filters as audit.find, without the cursor
SELECT COUNT(*) AS n FROM audit_log
WHERE (? IS NULL OR user = ?)
  AND (? IS NULL OR action = ? OR action LIKE ? ESCAPE '\')
  AND (? IS NULL OR target LIKE ? ESCAPE '\')
  AND (? IS NULL OR result = ?)
  AND (? IS NULL OR at >= ?)
  AND (? IS NULL OR at < ?);
