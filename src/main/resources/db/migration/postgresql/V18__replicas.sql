-- Slack deliveries a replica has taken in (a Socket Mode envelope, an Events API event), so that a
-- repeat reaching another replica is not run again. answer is what the first delivery answered
-- Slack, once it has (a Socket Mode envelope's answer; never a secret, which travels only through
-- response_url). Rows are forgotten after an hour.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY NOT NULL,
  seen_at BIGINT NOT NULL,
  answer TEXT
);

CREATE INDEX deliveries_by_seen ON deliveries (seen_at);

-- At most one open request (PENDING or APPROVED) holds an IAM user name. The submission checks in
-- its transaction; this makes two replicas that check at the same moment store one request.
CREATE UNIQUE INDEX requests_one_open_per_name ON requests (iam_user_name_lower)
  WHERE state IN ('PENDING', 'APPROVED');

-- Slack's rate limits are per app, so what one replica learns from a 429 (wait this long before
-- calling this method, for this channel) holds for all: limit_key as the courier names it.
CREATE TABLE outbox_pauses (
  limit_key TEXT PRIMARY KEY NOT NULL,
  until BIGINT NOT NULL
);
