-- Several replicas share the database: work is claimed, never assumed. A running job and a Slack
-- message on its way name the replica that claimed it and until when its claim holds; the replica
-- renews its claims while it lives, and work whose claim ran out is taken up by another.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;

ALTER TABLE jobs ADD COLUMN lease_until INTEGER;

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

ALTER TABLE outbox ADD COLUMN lease_until INTEGER;

-- What a replica is in the middle of outside a job (a reveal, a mint, a provisioning): the subject
-- it holds, and until when. A stop leaves it to run out; then another replica may undo or resume
-- the work.
CREATE TABLE leases (
  subject TEXT PRIMARY KEY NOT NULL,
  holder TEXT NOT NULL,
  until INTEGER NOT NULL
);

CREATE INDEX leases_by_holder ON leases (holder);
