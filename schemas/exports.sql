-- bulu station: the record of bundles exported (in journal.db).
--
-- `bulu sync export` adds a row after both files of a bundle are durable;
-- the next export starts after the highest last_seq here.  Not part of the
-- signed chain: losing it only makes the next export start earlier.
CREATE TABLE IF NOT EXISTS exports (
    id          INTEGER PRIMARY KEY,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    head_hash   BLOB NOT NULL,
    file        TEXT NOT NULL,
    sealed      INTEGER NOT NULL,
    exported_at TEXT NOT NULL
);
