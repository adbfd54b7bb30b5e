-- Schema version 2: confirmed annual assessments (年度评定).
-- An assessment for year Y grades every unit as of 31 December Y-1; once confirmed by a
-- 审核员 it is what the statistics export and notices use for Y. The profile text is
-- kept with it, so a later change of the rules never rewrites a confirmed year.

CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    year           INTEGER NOT NULL UNIQUE,
    as_of          TEXT NOT NULL,
    profile_name   TEXT NOT NULL,
    profile_sha256 TEXT NOT NULL,
    profile_text   TEXT NOT NULL,
    confirmed_at   TEXT NOT NULL,
    confirmed_by   TEXT NOT NULL,
    grades_sha256  TEXT NOT NULL
) STRICT;

CREATE TABLE assessment_grades (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    grade         TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    label         TEXT NOT NULL,
    tier          TEXT,
    reasons       TEXT NOT NULL,
    annotation    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, unit_id)
) STRICT;
CREATE INDEX assessment_grades_unit ON assessment_grades (unit_id);
