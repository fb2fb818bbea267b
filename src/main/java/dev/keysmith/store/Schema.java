package dev.keysmith.store;

import java.util.List;

/**
 * Keysmith's schema as an ordered list of migrations; migration {@code n} takes the database from
 * {@code PRAGMA user_version = n - 1} to {@code n}. Append new migrations, never edit old ones.
 */
final class Schema {
  private Schema() {}

  /** One step of the schema; statements are run one by one because triggers contain ';'. */
  record Migration(int version, List<String> statements) {}

  static final List<Migration> MIGRATIONS =
      List.of(
          new Migration(
              1,
              List.of(
                  """
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
                  )
                  """,
                  "CREATE INDEX requests_by_user_name ON requests (iam_user_name_lower)",
                  "CREATE INDEX requests_by_state ON requests (state, created_at)",
                  """
                  CREATE TABLE wipes (
                    request_id TEXT PRIMARY KEY NOT NULL
                      REFERENCES requests (id) ON DELETE CASCADE,
                    response_url TEXT NOT NULL,
                    due_at INTEGER NOT NULL
                  )
                  """,
                  "CREATE INDEX wipes_by_due ON wipes (due_at)",
                  """
                  CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
                    request_id TEXT,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    details TEXT NOT NULL
                  )
                  """,
                  "CREATE INDEX audit_by_request ON audit (request_id, id)",
                  """
                  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                  BEGIN
                    SELECT RAISE(ABORT, 'audit is append-only');
                  END
                  """,
                  """
                  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                  BEGIN
                    SELECT RAISE(ABORT, 'audit is append-only');
                  END
                  """)),
          new Migration(
              2,
              List.of(
                  """
                  CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    data TEXT NOT NULL,
                    due_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                  )
                  """,
                  "CREATE INDEX jobs_by_state_due ON jobs (state, due_at)",
                  "CREATE INDEX jobs_by_subject ON jobs (subject)")),
          new Migration(
              3,
              List.of(
                  // Wipes now cover rotated keys too, so they name any subject and its owner
                  // instead of referring to a request.
                  """
                  CREATE TABLE secret_wipes (
                    subject TEXT PRIMARY KEY NOT NULL,
                    owner_id TEXT NOT NULL,
                    response_url TEXT NOT NULL,
                    due_at INTEGER NOT NULL
                  )
                  """,
                  """
                  INSERT INTO secret_wipes (subject, owner_id, response_url, due_at)
                  SELECT w.request_id, r.owner_id, w.response_url, w.due_at
                  FROM wipes w JOIN requests r ON r.id = w.request_id
                  """,
                  "DROP TABLE wipes",
                  "CREATE INDEX secret_wipes_by_due ON secret_wipes (due_at)")),
          new Migration(
              4,
              List.of(
                  """
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
                  )
                  """,
                  "CREATE INDEX rotations_by_state ON rotations (state, started_at)",
                  // One key minted at a time per user: a double click must not mint twice, and
                  // recovery after a crash relies on knowing the only key being minted.
                  "CREATE UNIQUE INDEX rotations_one_minting_per_user ON rotations (iam_user)"
                      + " WHERE state = 'MINTING'")),
          new Migration(
              5,
              List.of(
                  """
                  CREATE TABLE key_reminders (
                    access_key_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    sent_at INTEGER NOT NULL,
                    PRIMARY KEY (access_key_id, kind)
                  )
                  """)),
          new Migration(
              6,
              List.of(
                  // The owner's offer message, so it can lose its button once the offer closes.
                  "ALTER TABLE requests ADD COLUMN offer_channel TEXT",
                  "ALTER TABLE requests ADD COLUMN offer_ts TEXT")),
          new Migration(
              7,
              List.of(
                  """
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
                  )
                  """,
                  "CREATE INDEX links_by_state ON links (state, created_at)",
                  // One pending link per IAM user (IAM names ignore case), so two requests cannot
                  // race to move the same user.
                  "CREATE UNIQUE INDEX links_one_pending_per_user ON links (iam_user_lower)"
                      + " WHERE state = 'PENDING'")),
          new Migration(
              8,
              List.of(
                  // When the old key was deactivated, kept with the rotation rather than read back
                  // from the audit trail; rotations deactivated before this version take it from
                  // their last keys.deactivated event.
                  "ALTER TABLE rotations ADD COLUMN deactivated_at INTEGER",
                  """
                  UPDATE rotations SET deactivated_at =
                    (SELECT MAX(at) FROM audit
                      WHERE audit.request_id = rotations.id AND audit.action = 'keys.deactivated')
                  WHERE state IN ('OLD_DEACTIVATED', 'DONE', 'CANCELLED')
                  """)),
          new Migration(
              9,
              List.of(
                  // The durable outbox: Slack messages a state change promises, written in its
                  // transaction and delivered with retries. A message waits behind earlier ones of
                  // its lane (its slot, else its channel); a slot has one undelivered message at
                  // most, whose content newer ones replace (version counts the replacements).
                  """
                  CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    purpose TEXT NOT NULL,
                    about TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    slot TEXT,
                    lane TEXT NOT NULL,
                    text TEXT NOT NULL,
                    blocks TEXT NOT NULL,
                    state TEXT NOT NULL,
                    version INTEGER NOT NULL DEFAULT 1,
                    due_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                  )
                  """,
                  "CREATE INDEX outbox_by_lane ON outbox (state, lane, id)",
                  "CREATE INDEX outbox_by_due ON outbox (state, due_at)",
                  "CREATE UNIQUE INDEX outbox_one_pending_per_slot ON outbox (slot)"
                      + " WHERE state = 'PENDING' AND slot IS NOT NULL",
                  // Where each slot's message is in Slack, once posted, so later ones edit it.
                  """
                  CREATE TABLE outbox_slots (
                    slot TEXT PRIMARY KEY,
                    channel TEXT NOT NULL,
                    ts TEXT NOT NULL
                  )
                  """)),
          new Migration(
              10,
              List.of(
                  // A message may answer another in its thread: the slot of the one it answers.
                  "ALTER TABLE outbox ADD COLUMN thread_of TEXT")),
          new Migration(
              11,
              List.of(
                  // Group policies: how many distinct approvers a request needs, and who has
                  // approved so far (one "approver epoch-millis" line each).
                  "ALTER TABLE requests ADD COLUMN quorum INTEGER NOT NULL DEFAULT 1",
                  "ALTER TABLE requests ADD COLUMN approvals TEXT NOT NULL DEFAULT ''",
                  // Requests approved before there were quorums: their one approver.
                  "UPDATE requests SET approvals = decided_by || ' ' || decided_at"
                      + " WHERE decided_by IS NOT NULL AND decided_at IS NOT NULL"
                      + " AND state NOT IN ('DENIED', 'CANCELLED')")),
          new Migration(
              12,
              List.of(
                  // Offboardings: deleting an IAM user step by step (steps_done lists the steps
                  // finished, comma-separated, in order), resumed by the user.offboard job.
                  """
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
                  )
                  """,
                  "CREATE INDEX offboardings_by_state ON offboardings (state, created_at)",
                  // One offboarding under way per IAM user (IAM names ignore case), so two starts
                  // cannot race to delete the same user twice.
                  "CREATE UNIQUE INDEX offboardings_one_under_way_per_user"
                      + " ON offboardings (iam_user_lower) WHERE state IN ('PLANNED', 'RUNNING')")),
          new Migration(
              13,
              List.of(
                  // Time-bound users: how long the user of a request lives from its approval
                  // (null: no end), by the policy of its group.
                  "ALTER TABLE requests ADD COLUMN lifetime_seconds INTEGER")),
          new Migration(
              14,
              List.of(
                  // An extension of a time-bound user names the request that created the user.
                  "ALTER TABLE requests ADD COLUMN extends_request TEXT")),
          new Migration(
              15,
              List.of(
                  // People whose Slack account was deactivated, handled once: their users' keys
                  // deactivated, console logins removed, the approvals channel told.
                  """
                  CREATE TABLE leavers (
                    slack_user_id TEXT PRIMARY KEY NOT NULL,
                    handled_at INTEGER NOT NULL
                  )
                  """)));

  /** The version a fully migrated database has. */
  static int latestVersion() {
    return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
  }
}
