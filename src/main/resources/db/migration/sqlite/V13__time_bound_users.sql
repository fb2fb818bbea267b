-- Time-bound users: how long the user of a request lives from its approval (null: no end), by the
-- policy of its group.

ALTER TABLE requests ADD COLUMN lifetime_seconds INTEGER;

