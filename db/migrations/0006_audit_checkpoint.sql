-- Schema version 6: where the audit chain was last verified. Opening a database
-- verifies only the entries after this one (the whole chain is checked by `check`),
-- then moves the checkpoint. Not itself audited: it records nothing about the data.

CREATE TABLE audit_checkpoint (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    entry_id INTEGER NOT NULL,
    hash     TEXT NOT NULL
) STRICT;
