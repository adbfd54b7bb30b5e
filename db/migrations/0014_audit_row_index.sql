-- Several seats at once (issue 19): an edit is refused when another seat changed the
-- record since it was opened, found by the newest audit entry of the record's natural
-- key. This index makes that look-up (and a record's history) one index probe.

CREATE INDEX audit_log_row ON audit_log (table_name, row_key, id);
