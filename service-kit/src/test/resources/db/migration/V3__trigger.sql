-- A trigger whose body holds statements of its own, spread over lines, and a string with a ; in it.
CREATE TABLE probe_log (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TRIGGER probe_logged AFTER INSERT ON probe
BEGIN
    INSERT INTO probe_log (note) VALUES ('added; ' || new.name);
    UPDATE probe SET extra = CASE WHEN new.name = 'x' THEN 'ex' ELSE 'other' END WHERE id = new.id;
END;
CREATE TRIGGER probe_keep BEFORE DELETE ON probe WHEN old.name = 'keep' BEGIN SELECT RAISE(ABORT, 'kept; forever'); END;
