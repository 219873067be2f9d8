-- Single sign-on (OpenID Connect). Users come from this database ('local', with a password) or from the identity
-- provider ('oidc', no usable password). The first admin is the break-glass account: it keeps local password
-- login when an admin switches local login off for everyone else. A user the provider no longer grants a role is
-- marked sso_refused_at: its sessions and API tokens stop working at once, until a later login maps its groups
-- again (a provider's decision, kept apart from an admin disabling a user, which no login undoes).
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'oidc'));
ALTER TABLE users ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1));
ALTER TABLE users ADD COLUMN sso_refused_at TEXT;
UPDATE users SET break_glass = 1
WHERE id = (SELECT id FROM users WHERE role = 'admin' ORDER BY created_at, id LIMIT 1);

-- Who a provider's (issuer, subject) is here, and the groups it had at its last login.
CREATE TABLE oidc_identities (
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    user_id       TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    groups_json   TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

-- Settings an admin changes at run time (one row).
CREATE TABLE auth_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    local_login TEXT NOT NULL CHECK (local_login IN ('all', 'break-glass')),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
INSERT INTO auth_settings (id, local_login, updated_at, updated_by)
VALUES (1, 'all', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'migration');
