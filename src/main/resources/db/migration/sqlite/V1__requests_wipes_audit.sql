-- Keysmith's first schema: requests, the wipes of revealed secrets, and the append-only audit trail.

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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  approval_channel TEXT,
  approval_ts TEXT,
  decided_by TEXT,
  decided_at INTEGER,
  outcome TEXT,
  progress TEXT NOT NULL DEFAULT '',
  offer_expires_at INTEGER,
  revealed_at INTEGER
);

CREATE INDEX requests_by_user_name ON requests (iam_user_name_lower);

CREATE INDEX requests_by_state ON requests (state, created_at);

CREATE TABLE wipes (
  request_id TEXT PRIMARY KEY NOT NULL
    REFERENCES requests (id) ON DELETE CASCADE,
  response_url TEXT NOT NULL,
  due_at INTEGER NOT NULL
);

CREATE INDEX wipes_by_due ON wipes (due_at);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  request_id TEXT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL
);

CREATE INDEX audit_by_request ON audit (request_id, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit is append-only');
END;

