-- bulu bundle: the SQLite database inside STATION-FIRST-LAST.bulu (gzip).
--
-- Specified in docs/bundle-format.md.  `zcat X.bulu > x.db; sqlite3 x.db`
-- opens it.  The bundle is built in memory with 64 KiB pages and its
-- entries inserted in seq order, so the file holds them front to back: a
-- truncated copy still yields its leading entries (salvage).  An importer
-- accepts exactly these two tables and nothing else.
CREATE TABLE bundle (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    format     TEXT NOT NULL,       -- 'bulu/bundle/v1'
    station    TEXT NOT NULL,
    dept       TEXT NOT NULL,
    role       TEXT NOT NULL,
    pubkey     BLOB NOT NULL,       -- the station's Ed25519 public key (32 bytes)
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    head_hash  BLOB NOT NULL        -- hash of entry last_seq
);
CREATE TABLE entries (
    station     TEXT NOT NULL,
    seq         INTEGER PRIMARY KEY,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL,
    sig         BLOB NOT NULL,
    kind        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    operator    TEXT NOT NULL,
    episode     TEXT NOT NULL,
    body        TEXT NOT NULL
);
