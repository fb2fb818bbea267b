-- When the old key was deactivated, kept with the rotation rather than read back from the audit
-- trail; rotations deactivated before this version take it from their last keys.deactivated event.

ALTER TABLE rotations ADD COLUMN deactivated_at INTEGER;

UPDATE rotations SET deactivated_at =
  (SELECT MAX(at) FROM audit
    WHERE audit.request_id = rotations.id AND audit.action = 'keys.deactivated')
WHERE state IN ('OLD_DEACTIVATED', 'DONE', 'CANCELLED');

