-- The audit trail as a hash chain: each event carries the hash of the one before it (prev_hash)
-- and its own (hash), hex SHA-256, so an edited, deleted or inserted row shows (keysmith audit
-- verify). Rows from before this migration have neither: the first chained row's prev_hash is a
-- digest of all of them, in id order. The triggers still refuse updates and deletes.
ALTER TABLE audit ADD COLUMN prev_hash TEXT;

ALTER TABLE audit ADD COLUMN hash TEXT;

CREATE INDEX audit_by_at ON audit (at);
