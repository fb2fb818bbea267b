-- Wipes now cover rotated keys too, so they name any subject and its owner instead of referring
-- to a request.

CREATE TABLE secret_wipes (
  subject TEXT PRIMARY KEY NOT NULL,
  owner_id TEXT NOT NULL,
  response_url TEXT NOT NULL,
  due_at INTEGER NOT NULL
);

INSERT INTO secret_wipes (subject, owner_id, response_url, due_at)
SELECT w.request_id, r.owner_id, w.response_url, w.due_at
FROM wipes w JOIN requests r ON r.id = w.request_id;

DROP TABLE wipes;

CREATE INDEX secret_wipes_by_due ON secret_wipes (due_at);

