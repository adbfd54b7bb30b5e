-- 检查方式 gains 日常 (workbook.md): the CHECK of inspections.method is part of the
-- table, so the table is rebuilt with the same columns, keys and index. Nothing refers
-- to inspections by foreign key and it has no triggers.

CREATE TABLE inspections_v7 (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    inspected_on     TEXT NOT NULL,
    method           TEXT NOT NULL DEFAULT '计划'
                     CHECK (method IN ('日常', '计划', '双随机', '专项', '举报核查', '复查')),
    inspectors       TEXT NOT NULL DEFAULT '',
    hazards          INTEGER NOT NULL DEFAULT 0 CHECK (hazards >= 0),
    major_hazards    INTEGER NOT NULL DEFAULT 0 CHECK (major_hazards >= 0),
    rectify_deadline TEXT,
    rectified_on     TEXT,
    doc_no           TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, inspected_on)
) STRICT;

INSERT INTO inspections_v7 (id, unit_id, inspected_on, method, inspectors, hazards,
                            major_hazards, rectify_deadline, rectified_on, doc_no, note)
SELECT id, unit_id, inspected_on, method, inspectors, hazards,
       major_hazards, rectify_deadline, rectified_on, doc_no, note
FROM inspections;

DROP TABLE inspections;
ALTER TABLE inspections_v7 RENAME TO inspections;
CREATE INDEX inspections_unit ON inspections (unit_id);
