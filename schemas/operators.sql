-- bulu station: the operators who may sign in (in journal.db).
--
-- Made by the first `bulu operator add`.  Not part of the signed chain: who
-- was added or disabled, by whom and when, is also an `operator` journal
-- entry (docs/entry-kinds.md), which is what auditors read; this table only
-- keeps the PIN hashes (Argon2id, libsodium's crypto_pwhash_str format),
-- which must never leave the station in a bundle.
CREATE TABLE IF NOT EXISTS operators (
    name     TEXT PRIMARY KEY,
    role     TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1,
    added_at TEXT NOT NULL
);
