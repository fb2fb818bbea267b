-- A message may answer another in its thread: the slot of the one it answers.

ALTER TABLE outbox ADD COLUMN thread_of TEXT;

