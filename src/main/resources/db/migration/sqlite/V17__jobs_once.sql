-- A job that must exist once across replicas (a daily run) carries its kind and subject as once_key:
-- at most one of them waits at a time, however many replicas start and schedule it.
ALTER TABLE jobs ADD COLUMN once_key TEXT;

-- The daily runs already waiting (the earliest of each, should a race have left two) join their
-- chain; a later duplicate is cancelled.
UPDATE jobs SET state = 'CANCELLED'
  WHERE state = 'PENDING' AND kind IN ('reminders.daily', 'people.leavers')
    AND id <> (SELECT min(e.id) FROM jobs e WHERE e.state = 'PENDING' AND e.kind = jobs.kind);

UPDATE jobs SET once_key = kind || ' ' || subject
  WHERE state IN ('PENDING', 'RUNNING') AND kind IN ('reminders.daily', 'people.leavers');

CREATE UNIQUE INDEX jobs_one_waiting_once ON jobs (once_key)
  WHERE state = 'PENDING' AND once_key IS NOT NULL;
