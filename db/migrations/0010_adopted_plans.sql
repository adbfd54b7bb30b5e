-- Schema version 7: the adopted annual inspection plan (年度执法检查计划).
-- `plan --adopt` or 检查计划 → 采用计划 (审核员 or 管理员) stores the year's plan as
-- computed: its parameters, who adopted it and when, and every planned inspection, so
-- that the window, `export plan` and the printed plan show the same plan after a
-- restart. Adopting the year again (after 编制 again) adds a newer adoption; the older
-- ones stay as the record of what was adopted. Rows are never changed or deleted.
-- Items keep the unit's code and name as adopted (no foreign key), so a unit can still
-- be deleted later without touching the adopted plan.

CREATE TABLE plan_adoptions (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    capacity     INTEGER CHECK (capacity IS NULL OR capacity > 0),
    basis        TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    computed_on  TEXT NOT NULL,
    adopted_at   TEXT NOT NULL,
    adopted_by   TEXT NOT NULL,
    items_count  INTEGER NOT NULL,
    items_sha256 TEXT NOT NULL
) STRICT;
CREATE INDEX plan_adoptions_year ON plan_adoptions (year, id);

CREATE TABLE plan_items (
    adoption_id     INTEGER NOT NULL REFERENCES plan_adoptions (id),
    position        INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL,
    uscc            TEXT NOT NULL,
    name            TEXT NOT NULL,
    category        TEXT NOT NULL,
    town            TEXT NOT NULL,
    unit_status     TEXT NOT NULL,
    grade           TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    high_risk       INTEGER NOT NULL CHECK (high_risk IN (0, 1)),
    interval_months INTEGER NOT NULL,
    last_inspection TEXT,
    window_start    TEXT NOT NULL,
    window_end      TEXT NOT NULL,
    window_label    TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    suggested_month INTEGER NOT NULL CHECK (suggested_month BETWEEN 1 AND 12),
    original_month  INTEGER NOT NULL CHECK (original_month BETWEEN 1 AND 12),
    body            TEXT NOT NULL,
    county          INTEGER NOT NULL CHECK (county IN (0, 1)),
    fits            INTEGER NOT NULL CHECK (fits IN (0, 1)),
    PRIMARY KEY (adoption_id, position)
) STRICT;
CREATE INDEX plan_items_unit ON plan_items (unit_id);

CREATE TRIGGER plan_adoptions_no_update BEFORE UPDATE ON plan_adoptions
BEGIN
    SELECT RAISE(ABORT, '已采用的检查计划不能修改，只能重新编制后再次采用');
END;

CREATE TRIGGER plan_adoptions_no_delete BEFORE DELETE ON plan_adoptions
BEGIN
    SELECT RAISE(ABORT, '已采用的检查计划不能删除');
END;

CREATE TRIGGER plan_items_no_update BEFORE UPDATE ON plan_items
BEGIN
    SELECT RAISE(ABORT, '已采用的检查计划不能修改，只能重新编制后再次采用');
END;

CREATE TRIGGER plan_items_no_delete BEFORE DELETE ON plan_items
BEGIN
    SELECT RAISE(ABORT, '已采用的检查计划不能删除');
END;
