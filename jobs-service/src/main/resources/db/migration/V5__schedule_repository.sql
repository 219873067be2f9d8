-- A schedule names which of its host's repositories it uses (NULL: the host's primary one, as before).
ALTER TABLE schedules ADD COLUMN repo_id TEXT;
