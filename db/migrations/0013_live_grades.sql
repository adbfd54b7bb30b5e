-- Schema version 13: each unit's live grade as of a day, stored (core/grade_cache.py), so
-- the registry shows, sorts and filters 100,000 units by grade without grading them.
--
-- unit_grades holds one row per unit: the grade the engine gives it as of `as_of`, the
-- deciding reason codes (joined by ','), the engine's next change (day and grade), and
-- `recheck_on`: the first day the row may no longer hold (that next change, or the day
-- a record of the unit dated after `as_of` comes into view). It is derived data: not
-- audited, rebuilt whenever the rules or the program that computed it change.
--
-- Every table grading reads marks the units a write touches as stale (the triggers
-- below), whoever writes: the repository, an import, a workflow step. Before that
-- write's transaction commits, the stale units are graded in one batch and their rows
-- replaced, in the same transaction. A database upgraded to this version has no rows
-- yet: they are filled at its first opening, with progress (grade_cache.settle).

CREATE TABLE unit_grades (
    unit_id     INTEGER PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    grade       TEXT NOT NULL,
    label       TEXT NOT NULL,
    tier        TEXT,
    reasons     TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    next_change TEXT,
    next_grade  TEXT,
    recheck_on  TEXT
) STRICT;
CREATE INDEX unit_grades_grade ON unit_grades (grade);
CREATE INDEX unit_grades_recheck ON unit_grades (recheck_on);
-- the registry filters by the newest confirmed assessment's grade too
CREATE INDEX assessment_grades_grade ON assessment_grades (assessment_id, grade);

-- Units whose facts changed since their row was computed.
CREATE TABLE unit_grades_stale (
    unit_id INTEGER PRIMARY KEY
) STRICT;

-- The one row saying what the rows are good for: `fingerprint` names the rules and the
-- program that computed them ('' : never filled), `settled_on` the day every row holds
-- for (the turn of a day regrades the rows whose recheck_on has come).
CREATE TABLE unit_grades_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    settled_on  TEXT
) STRICT;
INSERT INTO unit_grades_state (id, fingerprint, settled_on) VALUES (1, '', NULL);

-- A unit's own fields (category, standardization, status …) count in grading.
CREATE TRIGGER units_grade_stale_insert AFTER INSERT ON units BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER units_grade_stale_update AFTER UPDATE ON units BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER units_grade_stale_delete AFTER DELETE ON units BEGIN
    DELETE FROM unit_grades_stale WHERE unit_id = OLD.id;
END;

-- The records of a unit (and the list entries that may release or hold a grade).
CREATE TRIGGER accidents_grade_stale_insert AFTER INSERT ON accidents BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER accidents_grade_stale_update AFTER UPDATE ON accidents BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER accidents_grade_stale_delete AFTER DELETE ON accidents BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER violations_grade_stale_insert AFTER INSERT ON violations BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER violations_grade_stale_update AFTER UPDATE ON violations BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER violations_grade_stale_delete AFTER DELETE ON violations BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER penalties_grade_stale_insert AFTER INSERT ON penalties BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER penalties_grade_stale_update AFTER UPDATE ON penalties BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER penalties_grade_stale_delete AFTER DELETE ON penalties BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER commitments_grade_stale_insert AFTER INSERT ON commitments BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER commitments_grade_stale_update AFTER UPDATE ON commitments BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER commitments_grade_stale_delete AFTER DELETE ON commitments BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER honours_grade_stale_insert AFTER INSERT ON honours BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER honours_grade_stale_update AFTER UPDATE ON honours BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER honours_grade_stale_delete AFTER DELETE ON honours BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER joint_punishments_grade_stale_insert AFTER INSERT ON joint_punishments BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER joint_punishments_grade_stale_update AFTER UPDATE ON joint_punishments BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER joint_punishments_grade_stale_delete AFTER DELETE ON joint_punishments BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER repairs_grade_stale_insert AFTER INSERT ON repairs BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER repairs_grade_stale_update AFTER UPDATE ON repairs BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER repairs_grade_stale_delete AFTER DELETE ON repairs BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER list_entries_grade_stale_insert AFTER INSERT ON list_entries BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER list_entries_grade_stale_update AFTER UPDATE ON list_entries BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER list_entries_grade_stale_delete AFTER DELETE ON list_entries BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER inspections_grade_stale_insert AFTER INSERT ON inspections BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER inspections_grade_stale_update AFTER UPDATE ON inspections BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id), (NEW.unit_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER inspections_grade_stale_delete AFTER DELETE ON inspections BEGIN
    INSERT INTO unit_grades_stale (unit_id) VALUES (OLD.unit_id)
        ON CONFLICT DO NOTHING;
END;

-- The records that listed a unit (grading.md Revision 2 item 2): linking or unlinking
-- one changes what suizhou's D criteria count for the entry's unit.
CREATE TRIGGER list_entry_records_grade_stale_insert AFTER INSERT ON list_entry_records BEGIN
    INSERT INTO unit_grades_stale (unit_id)
        SELECT unit_id FROM list_entries WHERE id = NEW.entry_id
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER list_entry_records_grade_stale_update AFTER UPDATE ON list_entry_records BEGIN
    INSERT INTO unit_grades_stale (unit_id)
        SELECT unit_id FROM list_entries WHERE id IN (OLD.entry_id, NEW.entry_id)
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER list_entry_records_grade_stale_delete AFTER DELETE ON list_entry_records BEGIN
    INSERT INTO unit_grades_stale (unit_id)
        SELECT unit_id FROM list_entries WHERE id = OLD.entry_id
        ON CONFLICT DO NOTHING;
END;
