-- Schema version 4: the register of issued documents (文书登记) stores each issued PDF
-- file once. A batch (one document per unit, one file) is one file row; each
-- document names its file and its pages in it, so a reprint returns the issued file
-- byte for byte. Issued documents and files are never edited or deleted.

DROP TABLE documents;

CREATE TABLE document_files (
    id        INTEGER PRIMARY KEY,
    sha256    TEXT NOT NULL,
    pages     INTEGER NOT NULL CHECK (pages >= 1),
    pdf       BLOB NOT NULL
) STRICT;

CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    doc_no         TEXT NOT NULL UNIQUE,
    unit_id        INTEGER REFERENCES units (id),
    subject        TEXT NOT NULL,
    issued_on      TEXT NOT NULL,
    issued_by      TEXT NOT NULL,
    params         TEXT NOT NULL DEFAULT '{}',
    content_sha256 TEXT NOT NULL,
    file_id        INTEGER NOT NULL REFERENCES document_files (id),
    first_page     INTEGER NOT NULL CHECK (first_page >= 1),
    page_count     INTEGER NOT NULL CHECK (page_count >= 1),
    UNIQUE (kind, year, seq)
) STRICT;

CREATE INDEX documents_unit ON documents (unit_id);
CREATE INDEX documents_content ON documents (kind, content_sha256);

CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
BEGIN
    SELECT RAISE(ABORT, '已出具的文书不能修改');
END;

CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN
    SELECT RAISE(ABORT, '已出具的文书不能删除');
END;

CREATE TRIGGER document_files_no_update BEFORE UPDATE ON document_files
BEGIN
    SELECT RAISE(ABORT, '已出具的文书文件不能修改');
END;

CREATE TRIGGER document_files_no_delete BEFORE DELETE ON document_files
BEGIN
    SELECT RAISE(ABORT, '已出具的文书文件不能删除');
END;
