-- 3-2-1: a host is linked to any number of repositories. hosts.repo_id stays the host's primary repository
-- (the API's deprecated repo_id field); host_repos holds every link, the primary one included, with a role
-- label (primary, off-site, local, …) chosen by the admin.
CREATE TABLE host_repos (
    host_id    TEXT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    repo_id    TEXT NOT NULL REFERENCES repos (id),
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (host_id, repo_id)
);
CREATE INDEX host_repos_repo ON host_repos (repo_id, host_id);
INSERT INTO host_repos (host_id, repo_id, role, created_at)
SELECT id, repo_id, 'primary', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM hosts WHERE repo_id IS NOT NULL;
