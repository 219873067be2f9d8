-- Named statements of the kit's own tests.

-- name: probe.insert
INSERT INTO probe (name) VALUES (?);

-- name: probe.by-name
SELECT id, name, extra FROM probe WHERE name = ?;

-- name: probe.count
SELECT COUNT(*) FROM probe;

-- name: probe.log
SELECT note FROM probe_log ORDER BY id;

-- name: probe.delete
DELETE FROM probe WHERE name = ?;
