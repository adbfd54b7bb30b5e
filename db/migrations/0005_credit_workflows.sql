-- Schema version 5: credit workflows (issue 8). Lists with their lifecycle
-- (采集 → 告知 → 审核 → 公布 → 移出), objections against records, applications for
-- credit repair and early removal, and the register of administrative permits for
-- 双公示. Every change is written with an audit entry by core/workflows/store.py.

CREATE TABLE list_entries (
    id             INTEGER PRIMARY KEY,
    list_kind      TEXT NOT NULL CHECK (list_kind IN ('红名单', '黑名单', '严重失信主体名单')),
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    person_name    TEXT NOT NULL DEFAULT '',
    person_role    TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL CHECK (source IN ('规则', '人工')),
    facts          TEXT NOT NULL,
    basis          TEXT NOT NULL,
    period_months  INTEGER NOT NULL CHECK (period_months >= 1),
    stage          TEXT NOT NULL
                   CHECK (stage IN ('采集', '告知', '待公布', '公布', '移出', '不予列入')),
    proposed_by    TEXT NOT NULL,
    proposed_on    TEXT NOT NULL,
    notified_on    TEXT,
    statement_due  TEXT,
    statement      TEXT NOT NULL DEFAULT '',
    reviewed_by    TEXT,
    reviewed_on    TEXT,
    review_note    TEXT NOT NULL DEFAULT '',
    published_on   TEXT,
    ends_on        TEXT,
    removed_on     TEXT,
    removal_reason TEXT,
    removed_by     TEXT
) STRICT;
CREATE INDEX list_entries_unit ON list_entries (unit_id);
CREATE INDEX list_entries_stage ON list_entries (stage);

CREATE TABLE objections (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    target_table   TEXT NOT NULL
                   CHECK (target_table IN ('inspections', 'accidents', 'penalties', 'violations')),
    target_id      INTEGER NOT NULL,
    target_text    TEXT NOT NULL,
    filed_on       TEXT NOT NULL,
    filed_by       TEXT NOT NULL,
    content        TEXT NOT NULL,
    evidence       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('待受理', '已受理', '不予受理', '已答复')),
    accepted_on    TEXT,
    due_on         TEXT,
    refused_reason TEXT NOT NULL DEFAULT '',
    investigator   TEXT,
    findings       TEXT NOT NULL DEFAULT '',
    outcome        TEXT CHECK (outcome IN ('更正', '删除', '保留')),
    answered_on    TEXT
) STRICT;
CREATE INDEX objections_unit ON objections (unit_id);
CREATE INDEX objections_target ON objections (target_table, target_id);

CREATE TABLE repair_applications (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    target_table  TEXT NOT NULL
                  CHECK (target_table IN ('penalties', 'violations', 'accidents', 'list_entries')),
    target_id     INTEGER NOT NULL,
    target_text   TEXT NOT NULL,
    applied_on    TEXT NOT NULL,
    applied_by    TEXT NOT NULL,
    statement     TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('待审核', '批准', '驳回', '撤销')),
    decided_by    TEXT,
    decided_on    TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    repair_id     INTEGER REFERENCES repairs (id),
    revoked_by    TEXT,
    revoked_on    TEXT,
    revoke_reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX repair_applications_unit ON repair_applications (unit_id);

CREATE TABLE permits (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    permit_no    TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    decided_on   TEXT NOT NULL,
    published_on TEXT
) STRICT;
CREATE INDEX permits_unit ON permits (unit_id);
