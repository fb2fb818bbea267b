-- The durable outbox: Slack messages a state change promises, written in its transaction and
-- delivered with retries. A message waits behind earlier ones of its lane (its slot, else its
-- channel); a slot has one undelivered message at most, whose content newer ones replace (version
-- counts the replacements).

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
);

CREATE INDEX outbox_by_lane ON outbox (state, lane, id);

CREATE INDEX outbox_by_due ON outbox (state, due_at);

CREATE UNIQUE INDEX outbox_one_pending_per_slot ON outbox (slot) WHERE state = 'PENDING' AND slot IS NOT NULL;

-- Where each slot's message is in Slack, once posted, so later ones edit it.
CREATE TABLE outbox_slots (
  slot TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  ts TEXT NOT NULL
);

