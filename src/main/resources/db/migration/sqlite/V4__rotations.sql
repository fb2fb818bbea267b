CREATE TABLE rotations (
  id TEXT PRIMARY KEY NOT NULL,
  iam_user TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  old_key_id TEXT,
  new_key_id TEXT,
  lost INTEGER NOT NULL,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  revealed_at INTEGER,
  postponed INTEGER NOT NULL,
  decided_by TEXT,
  approval_channel TEXT,
  approval_ts TEXT,
  updated_at INTEGER NOT NULL
);

CREATE INDEX rotations_by_state ON rotations (state, started_at);

-- One key minted at a time per user: a double click must not mint twice, and recovery after a
-- crash relies on knowing the only key being minted.
CREATE UNIQUE INDEX rotations_one_minting_per_user ON rotations (iam_user) WHERE state = 'MINTING';

