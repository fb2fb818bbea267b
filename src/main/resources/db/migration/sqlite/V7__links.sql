CREATE TABLE links (
  id TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL,
  iam_user TEXT NOT NULL,
  iam_user_lower TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  previous_owner_id TEXT,
  iam_groups TEXT NOT NULL,
  requester_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  approval_channel TEXT,
  approval_ts TEXT,
  decided_by TEXT,
  outcome TEXT
);

CREATE INDEX links_by_state ON links (state, created_at);

-- One pending link per IAM user (IAM names ignore case), so two requests cannot race to move the
-- same user.
CREATE UNIQUE INDEX links_one_pending_per_user ON links (iam_user_lower) WHERE state = 'PENDING';

