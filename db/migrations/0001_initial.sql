-- Schema version 1: every record kind of workbook.md plus the program's own tables.
-- Dates are ISO text (YYYY-MM-DD); timestamps ISO text with seconds, local time.
-- Booleans are INTEGER 0/1. Natural keys of workbook.md are UNIQUE constraints.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL CHECK (role IN ('管理员', '审核员', '录入员')),
    password_hash   TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE units (
    id                 INTEGER PRIMARY KEY,
    uscc               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    category           TEXT NOT NULL,
    reporter           TEXT NOT NULL DEFAULT '',
    check_accepted     INTEGER NOT NULL DEFAULT 0 CHECK (check_accepted IN (0, 1)),
    town               TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    legal_rep          TEXT NOT NULL DEFAULT '',
    main_person        TEXT NOT NULL DEFAULT '',
    main_person_id     TEXT NOT NULL DEFAULT '',
    safety_person      TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    permit_no          TEXT NOT NULL DEFAULT '',
    permit_valid_until TEXT,
    std_level          TEXT NOT NULL DEFAULT '无' CHECK (std_level IN ('一级', '二级', '三级', '无')),
    std_awarded_on     TEXT,
    std_valid_until    TEXT,
    high_risk          INTEGER NOT NULL DEFAULT 0 CHECK (high_risk IN (0, 1)),
    status             TEXT NOT NULL DEFAULT '正常' CHECK (status IN ('正常', '停产整顿', '关闭')),
    name_initials      TEXT NOT NULL DEFAULT '',
    name_pinyin        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX units_category ON units (category);
CREATE INDEX units_town ON units (town);
CREATE INDEX units_pinyin ON units (name_pinyin);

CREATE TABLE inspections (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    inspected_on     TEXT NOT NULL,
    method           TEXT NOT NULL DEFAULT '计划'
                     CHECK (method IN ('计划', '双随机', '专项', '举报核查', '复查')),
    inspectors       TEXT NOT NULL DEFAULT '',
    hazards          INTEGER NOT NULL DEFAULT 0 CHECK (hazards >= 0),
    major_hazards    INTEGER NOT NULL DEFAULT 0 CHECK (major_hazards >= 0),
    rectify_deadline TEXT,
    rectified_on     TEXT,
    doc_no           TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, inspected_on)
) STRICT;

CREATE TABLE accidents (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    occurred_on      TEXT NOT NULL,
    accident_no      TEXT NOT NULL DEFAULT '',
    grade            TEXT NOT NULL CHECK (grade IN ('一般', '较大', '重大', '特别重大')),
    deaths           INTEGER NOT NULL DEFAULT 0 CHECK (deaths >= 0),
    serious_injuries INTEGER NOT NULL DEFAULT 0 CHECK (serious_injuries >= 0),
    loss_wan         REAL NOT NULL DEFAULT 0 CHECK (loss_wan >= 0),
    responsible      TEXT NOT NULL CHECK (responsible IN ('是', '否', '待定')),
    needs_review     INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    note             TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, occurred_on, accident_no)
) STRICT;

CREATE TABLE penalties (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    doc_no       TEXT NOT NULL UNIQUE,
    decided_on   TEXT NOT NULL,
    department   TEXT NOT NULL CHECK (department IN ('应急管理部门', '其他部门')),
    reason       TEXT NOT NULL DEFAULT '',
    fine_yuan    REAL NOT NULL DEFAULT 0 CHECK (fine_yuan >= 0),
    published_on TEXT
) STRICT;

CREATE TABLE violations (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    kind        TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '单位' CHECK (subject IN ('单位', '主要负责人', '分管安全负责人')),
    person_name TEXT NOT NULL DEFAULT '',
    basis_doc   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, kind, occurred_on, subject)
) STRICT;

CREATE TABLE commitments (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    type         TEXT NOT NULL CHECK (type IN ('单位承诺', '主要负责人履职尽责承诺')),
    signed_on    TEXT NOT NULL,
    signer       TEXT NOT NULL DEFAULT '',
    withdrawn_on TEXT,
    UNIQUE (unit_id, type, signed_on)
) STRICT;

CREATE TABLE honours (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    honoured_on TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('县级', '市级', '省级', '国家级')),
    type       TEXT NOT NULL CHECK (type IN ('先进单位', '通报表扬', '典型宣传')),
    title      TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, honoured_on, type)
) STRICT;

CREATE TABLE joint_punishments (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    department TEXT NOT NULL,
    starts_on  TEXT NOT NULL,
    ends_on    TEXT,
    UNIQUE (unit_id, starts_on)
) STRICT;

-- A repair names exactly one record; one column per kind keeps foreign keys real.
CREATE TABLE repairs (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('行政处罚', '失信行为', '生产安全事故')),
    penalty_id   INTEGER UNIQUE REFERENCES penalties (id),
    violation_id INTEGER UNIQUE REFERENCES violations (id),
    accident_id  INTEGER UNIQUE REFERENCES accidents (id),
    approved_on  TEXT NOT NULL,
    approval_no  TEXT NOT NULL DEFAULT '',
    CHECK ((penalty_id IS NOT NULL) + (violation_id IS NOT NULL) + (accident_id IS NOT NULL) = 1)
) STRICT;

CREATE INDEX inspections_unit ON inspections (unit_id);
CREATE INDEX accidents_unit ON accidents (unit_id);
CREATE INDEX penalties_unit ON penalties (unit_id);
CREATE INDEX violations_unit ON violations (unit_id);
CREATE INDEX commitments_unit ON commitments (unit_id);
CREATE INDEX honours_unit ON honours (unit_id);
CREATE INDEX joint_punishments_unit ON joint_punishments (unit_id);
CREATE INDEX repairs_unit ON repairs (unit_id);

-- Natural keys of records deleted in the program: an import does not bring them back.
CREATE TABLE deleted_records (
    table_name  TEXT NOT NULL,
    natural_key TEXT NOT NULL,
    deleted_at  TEXT NOT NULL,
    deleted_by  TEXT NOT NULL,
    PRIMARY KEY (table_name, natural_key)
) STRICT;

CREATE TABLE inspectors (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    cert_no TEXT NOT NULL UNIQUE,
    org     TEXT NOT NULL DEFAULT '',
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE inspector_conflicts (
    inspector_id INTEGER NOT NULL REFERENCES inspectors (id),
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (inspector_id, unit_id)
) STRICT;

-- Issued documents (文书登记): the stored PDF makes a reprint byte-identical.
CREATE TABLE documents (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    year      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    doc_no    TEXT NOT NULL UNIQUE,
    unit_id   INTEGER REFERENCES units (id),
    issued_on TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    params    TEXT NOT NULL DEFAULT '{}',
    sha256    TEXT NOT NULL,
    pdf       BLOB NOT NULL,
    UNIQUE (kind, year, seq)
) STRICT;

-- 双随机 draws: stored inputs make a draw reproducible; rows are never edited,
-- only annulled.
CREATE TABLE draws (
    id            INTEGER PRIMARY KEY,
    drawn_at      TEXT NOT NULL,
    drawn_by      TEXT NOT NULL,
    year          INTEGER NOT NULL,
    filters       TEXT NOT NULL,
    ratios        TEXT NOT NULL,
    seed          TEXT NOT NULL,
    pool          TEXT NOT NULL,
    team_size     INTEGER NOT NULL DEFAULT 2 CHECK (team_size >= 2),
    annulled_at   TEXT,
    annulled_by   TEXT,
    annul_reason  TEXT
) STRICT;

CREATE TABLE draw_selections (
    draw_id  INTEGER NOT NULL REFERENCES draws (id),
    position INTEGER NOT NULL,
    unit_id  INTEGER NOT NULL REFERENCES units (id),
    team     TEXT NOT NULL,
    PRIMARY KEY (draw_id, position)
) STRICT;

-- The audit log is hash-chained: hash = sha256(prev_hash || canonical entry).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user       TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'event')),
    table_name TEXT NOT NULL,
    row_key    TEXT NOT NULL,
    before     TEXT,
    after      TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;
