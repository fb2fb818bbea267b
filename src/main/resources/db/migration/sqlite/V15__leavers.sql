-- People whose Slack account was deactivated, handled once: their users' keys deactivated,
-- console logins removed, the approvals channel told.

CREATE TABLE leavers (
  slack_user_id TEXT PRIMARY KEY NOT NULL,
  handled_at INTEGER NOT NULL
);

