-- The owner's offer message, so it can lose its button once the offer closes.

ALTER TABLE requests ADD COLUMN offer_channel TEXT;

ALTER TABLE requests ADD COLUMN offer_ts TEXT;

