-- bulu central ledger: schema version 1.
--
-- Specified in docs/sync.md.  Any sqlite3 user may query it.  `entries` has
-- the journal's columns; its key is (station, seq, hash), so a fork (two
-- different entries with one station and seq) keeps both as evidence.  The
-- tables entries, drill_entries and heads hold only what the
-- verified bundles say, keyed by content: whatever the order, duplicates or
-- overlaps of the imports, they end up the same.  `imports` is the log of
-- what happened, and differs with the order by nature.
CREATE TABLE entries (
    station     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL,
    sig         BLOB NOT NULL,
    kind        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    operator    TEXT NOT NULL,
    episode     TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (station, seq, hash)
) WITHOUT ROWID;

-- Entries of drill episodes (episode DRILL-...): kept apart, so that no
-- query of real data ever counts a drill.
CREATE TABLE drill_entries (
    station     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL,
    sig         BLOB NOT NULL,
    kind        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    operator    TEXT NOT NULL,
    episode     TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (station, seq, hash)
) WITHOUT ROWID;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are kept as the stations signed them'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are kept as the stations signed them'); END;
CREATE TRIGGER drill_entries_no_update BEFORE UPDATE ON drill_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are kept as the stations signed them'); END;
CREATE TRIGGER drill_entries_no_delete BEFORE DELETE ON drill_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are kept as the stations signed them'); END;

-- Signed heads: each bundle's signature names its station's last seq and
-- hash.  A head beyond the entries held is a gap still to come (or lost).
CREATE TABLE heads (
    station TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    PRIMARY KEY (station, seq, hash)
) WITHOUT ROWID;

-- Every import attempt: result merged (verified, all merged), salvaged (a
-- damaged copy: its verified prefix merged, the rest a gap) or rejected
-- (nothing merged, reason given).
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    imported_at TEXT NOT NULL,
    file        TEXT NOT NULL,
    file_hash   TEXT NOT NULL,   -- BLAKE2b-512 of the file, hex (what its signature signs)
    size        INTEGER NOT NULL,
    station     TEXT,
    first_seq   INTEGER,
    last_seq    INTEGER,
    sealed      INTEGER,
    result      TEXT NOT NULL CHECK (result IN ('merged', 'salvaged', 'rejected')),
    entries     INTEGER NOT NULL DEFAULT 0,  -- entries verified in the bundle
    new_entries INTEGER NOT NULL DEFAULT 0,  -- of which not held before
    forks       INTEGER NOT NULL DEFAULT 0,  -- seqs of this bundle held with another hash
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imports_by_hash ON imports (file_hash);
CREATE INDEX imports_by_station ON imports (station, id);

CREATE VIEW all_entries AS
    SELECT *, 0 AS drill FROM entries UNION ALL SELECT *, 1 AS drill FROM drill_entries;

-- A fork: one station and seq held with more than one hash.
CREATE VIEW forks AS
    SELECT station, seq, count(*) AS versions FROM all_entries
    GROUP BY station, seq HAVING count(*) > 1;
