-- Keysmith's schema on PostgreSQL, as the SQLite migrations 1 to 15 leave it (PostgreSQL support
-- began at version 15, so there is nothing older to migrate). Later migrations have the same
-- version in both dialects. Times are epoch milliseconds (BIGINT), flags 0 or 1 (INTEGER), as in
-- SQLite, so the stores bind the same values in both.

CREATE TABLE requests (
  id TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL,
  iam_user_name TEXT NOT NULL,
  iam_user_name_lower TEXT NOT NULL,
  group_name TEXT NOT NULL,
  access_type TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  requester_id TEXT NOT NULL,
  justification TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  approval_channel TEXT,
  approval_ts TEXT,
  decided_by TEXT,
  decided_at BIGINT,
  outcome TEXT,
  progress TEXT NOT NULL DEFAULT '',
  offer_expires_at BIGINT,
  revealed_at BIGINT,
  -- The owner's offer message, so it can lose its button once the offer closes.
  offer_channel TEXT,
  offer_ts TEXT,
  -- How many distinct approvers a request needs, and who has approved so far (one
  -- "approver epoch-millis" line each).
  quorum INTEGER NOT NULL DEFAULT 1,
  approvals TEXT NOT NULL DEFAULT '',
  -- How long the user of a request lives from its approval (null: no end).
  lifetime_seconds BIGINT,
  -- An extension of a time-bound user names the request that created the user.
  extends_request TEXT
);

CREATE INDEX requests_by_user_name ON requests (iam_user_name_lower);

CREATE INDEX requests_by_state ON requests (state, created_at);

-- Secrets shown once, and when their message is wiped.
CREATE TABLE secret_wipes (
  subject TEXT PRIMARY KEY NOT NULL,
  owner_id TEXT NOT NULL,
  response_url TEXT NOT NULL,
  due_at BIGINT NOT NULL
);

CREATE INDEX secret_wipes_by_due ON secret_wipes (due_at);

-- The audit trail: appended to, never changed.
CREATE TABLE audit (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  request_id TEXT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL
);

CREATE INDEX audit_by_request ON audit (request_id, id);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit is append-only';
END
$$;

CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Durable jobs: work due at a time, retried with backoff.
CREATE TABLE jobs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  data TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX jobs_by_state_due ON jobs (state, due_at);

CREATE INDEX jobs_by_subject ON jobs (subject);

CREATE TABLE rotations (
  id TEXT PRIMARY KEY NOT NULL,
  iam_user TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  old_key_id TEXT,
  new_key_id TEXT,
  lost INTEGER NOT NULL,
  state TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  revealed_at BIGINT,
  postponed INTEGER NOT NULL,
  decided_by TEXT,
  approval_channel TEXT,
  approval_ts TEXT,
  updated_at BIGINT NOT NULL,
  deactivated_at BIGINT
);

CREATE INDEX rotations_by_state ON rotations (state, started_at);

-- One key minted at a time per user: a double click must not mint twice, and recovery after a
-- crash relies on knowing the only key being minted.
CREATE UNIQUE INDEX rotations_one_minting_per_user ON rotations (iam_user) WHERE state = 'MINTING';

-- Which reminders about an old key were sent, so each is sent once.
CREATE TABLE key_reminders (
  access_key_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (access_key_id, kind)
);

CREATE TABLE links (
  id TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL,
  iam_user TEXT NOT NULL,
  iam_user_lower TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  previous_owner_id TEXT,
  iam_groups TEXT NOT NULL,
  requester_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  approval_channel TEXT,
  approval_ts TEXT,
  decided_by TEXT,
  outcome TEXT
);

CREATE INDEX links_by_state ON links (state, created_at);

-- One pending link per IAM user (IAM names ignore case), so two requests cannot race to move the
-- same user.
CREATE UNIQUE INDEX links_one_pending_per_user ON links (iam_user_lower) WHERE state = 'PENDING';

-- The durable outbox: Slack messages a state change promises, written in its transaction and
-- delivered with retries. A message waits behind earlier ones of its lane (its slot, else its
-- channel); a slot has one undelivered message at most, whose content newer ones replace (version
-- counts the replacements). A message may answer another in its thread (thread_of: the slot of the
-- one it answers).
CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  purpose TEXT NOT NULL,
  about TEXT NOT NULL,
  channel TEXT NOT NULL,
  slot TEXT,
  lane TEXT NOT NULL,
  text TEXT NOT NULL,
  blocks TEXT NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  thread_of TEXT
);

CREATE INDEX outbox_by_lane ON outbox (state, lane, id);

CREATE INDEX outbox_by_due ON outbox (state, due_at);

CREATE UNIQUE INDEX outbox_one_pending_per_slot ON outbox (slot)
  WHERE state = 'PENDING' AND slot IS NOT NULL;

-- Where each slot's message is in Slack, once posted, so later ones edit it.
CREATE TABLE outbox_slots (
  slot TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  ts TEXT NOT NULL
);

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
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  failed_step TEXT,
  outcome TEXT
);

CREATE INDEX offboardings_by_state ON offboardings (state, created_at);

-- One offboarding under way per IAM user (IAM names ignore case), so two starts cannot race to
-- delete the same user twice.
CREATE UNIQUE INDEX offboardings_one_under_way_per_user
  ON offboardings (iam_user_lower) WHERE state IN ('PLANNED', 'RUNNING');

-- People whose Slack account was deactivated, handled once: their users' keys deactivated,
-- console logins removed, the approvals channel told.
CREATE TABLE leavers (
  slack_user_id TEXT PRIMARY KEY NOT NULL,
  handled_at BIGINT NOT NULL
);
