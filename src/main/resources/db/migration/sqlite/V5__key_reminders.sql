-- Which reminders about an old key were sent, so each is sent once.

CREATE TABLE key_reminders (
  access_key_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (access_key_id, kind)
);

