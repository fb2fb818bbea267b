-- Group policies: how many distinct approvers a request needs, and who has approved so far (one
-- "approver epoch-millis" line each).

ALTER TABLE requests ADD COLUMN quorum INTEGER NOT NULL DEFAULT 1;

ALTER TABLE requests ADD COLUMN approvals TEXT NOT NULL DEFAULT '';

-- Requests approved before there were quorums: their one approver.
UPDATE requests SET approvals = decided_by || ' ' || decided_at WHERE decided_by IS NOT NULL AND decided_at IS NOT NULL AND state NOT IN ('DENIED', 'CANCELLED');

