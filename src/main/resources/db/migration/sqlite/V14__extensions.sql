-- An extension of a time-bound user names the request that created the user.

ALTER TABLE requests ADD COLUMN extends_request TEXT;

