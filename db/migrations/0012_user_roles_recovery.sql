-- Schema version 11 (h16-creds numbered it 7): a user holds a set of roles (a 管理员 may
-- also be 审核员), stored as their names joined by commas in a fixed order; an administrator's recovery code
-- (its scrypt hash only); and account recoveries, announced on every opening until an
-- administrator acknowledges them. Nothing references users, so the table is rebuilt.

CREATE TABLE users_v7 (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    roles           TEXT NOT NULL CHECK (
        roles <> ''
        AND replace(replace(replace(replace(roles, '管理员', ''), '审核员', ''), '录入员', ''),
                    ',', '') = ''
    ),
    password_hash   TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL,
    recovery_hash   TEXT
) STRICT;

INSERT INTO users_v7 (id, username, display_name, roles, password_hash, failed_attempts,
                      locked_until, active, created_at)
SELECT id, username, display_name, role, password_hash, failed_attempts, locked_until,
       active, created_at
FROM users;

DROP TABLE users;

ALTER TABLE users_v7 RENAME TO users;

CREATE TABLE account_recoveries (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL,
    recovered_at    TEXT NOT NULL,
    recovered_by    TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT
) STRICT;
