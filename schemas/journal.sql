-- bulu station journal: schema version 1.
--
-- Specified in docs/journal-format.md.  Any sqlite3 user may read this file;
-- the triggers below make `entries` append-only: no UPDATE, no DELETE, no
-- INSERT OR REPLACE over an existing entry, and only the next seq of this
-- station chained onto the current head may be inserted.  An edit made by
-- going around the triggers (dropping them, editing the file) is caught by
-- `bulu journal verify`, which recomputes every hash and signature.

CREATE TABLE station (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    id         TEXT NOT NULL,
    dept       TEXT NOT NULL,
    role       TEXT NOT NULL,
    pubkey     BLOB NOT NULL CHECK (length(pubkey) = 32),
    created_at TEXT NOT NULL,
    tz         TEXT NOT NULL DEFAULT ''             -- the station's time zone: +08:00, Asia/Shanghai, ...
);

CREATE TRIGGER station_no_update BEFORE UPDATE ON station
BEGIN SELECT RAISE(ABORT, 'the station record is fixed at bulu station init'); END;
CREATE TRIGGER station_no_delete BEFORE DELETE ON station
BEGIN SELECT RAISE(ABORT, 'the station record is fixed at bulu station init'); END;
CREATE TRIGGER station_only_one BEFORE INSERT ON station
WHEN (SELECT count(*) FROM station) > 0
BEGIN SELECT RAISE(ABORT, 'the station record is fixed at bulu station init'); END;

CREATE TABLE entries (
    station     TEXT NOT NULL,
    seq         INTEGER PRIMARY KEY,               -- 1, 2, 3 ... gapless
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash        BLOB NOT NULL CHECK (length(hash) = 32),
    sig         BLOB NOT NULL CHECK (length(sig) = 64),
    kind        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,                     -- station clock, ISO-8601 with offset
    operator    TEXT NOT NULL,
    episode     TEXT NOT NULL,                     -- '' outside an outage episode
    body        TEXT NOT NULL                      -- canonical JSON, money in fen
);

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only: a correction is a new entry (bulu capture void)'); END;

CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only: a correction is a new entry (bulu capture void)'); END;

-- Fires before any conflict handling, so INSERT OR REPLACE / OR IGNORE over
-- an existing seq is refused here too.
CREATE TRIGGER entries_append_next BEFORE INSERT ON entries
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM entries)
  OR NEW.station IS NOT (SELECT id FROM station)
  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM entries ORDER BY seq DESC LIMIT 1), zeroblob(32))
BEGIN SELECT RAISE(ABORT, 'journal entries are appended only as the next seq of this station, chained to the head'); END;

CREATE INDEX entries_by_kind ON entries (kind, seq);

-- Invoice numbers and voids are looked up by what the body says.
CREATE INDEX entries_by_invoice ON entries (json_extract(body, '$.invoice_no'))
    WHERE kind IN ('charge', 'registration', 'invoice_void');
CREATE INDEX entries_by_voided ON entries (json_extract(body, '$.entry'))
    WHERE kind = 'void';

-- Price catalog snapshots (价表).  Each `bulu catalog load` adds a snapshot
-- under the seq of its catalog_load entry; the newest snapshot prices.
CREATE TABLE catalog_items (
    load_seq  INTEGER NOT NULL,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    pinyin    TEXT NOT NULL,
    unit      TEXT NOT NULL,
    price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
    category  TEXT NOT NULL,
    version   TEXT NOT NULL,
    PRIMARY KEY (load_seq, code)
) WITHOUT ROWID;

CREATE TRIGGER catalog_no_update BEFORE UPDATE ON catalog_items
BEGIN SELECT RAISE(ABORT, 'catalog snapshots are kept as loaded'); END;
CREATE TRIGGER catalog_no_delete BEFORE DELETE ON catalog_items
BEGIN SELECT RAISE(ABORT, 'catalog snapshots are kept as loaded'); END;
