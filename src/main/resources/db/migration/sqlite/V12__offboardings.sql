-- Offboardings: deleting an IAM user step by step (steps_done lists the steps finished,
-- comma-separated, in order), resumed by the user.offboard job.

CREATE TABLE offboardings (
  id TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL,
  iam_user TEXT NOT NULL,
  iam_user_lower TEXT NOT NULL,
  owner_id TEXT,
  started_by TEXT NOT NULL,
  cause TEXT NOT NULL,
  steps_done TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  failed_step TEXT,
  outcome TEXT
);

CREATE INDEX offboardings_by_state ON offboardings (state, created_at);

-- One offboarding under way per IAM user (IAM names ignore case), so two starts cannot race to
-- delete the same user twice.
CREATE UNIQUE INDEX offboardings_one_under_way_per_user ON offboardings (iam_user_lower) WHERE state IN ('PLANNED', 'RUNNING');

