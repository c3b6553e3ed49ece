-- People in the loop: letters and legal steps wait, held, for a person's decision.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'running', 'done', 'failed', 'waiting', 'held', 'rejected', 'cancelled'));
-- The evidence, the decisions (who, when, why) and any edit, kept with the effect they govern.
ALTER TABLE outbox ADD COLUMN approval jsonb;
-- The batch of approvals and the overdue sweep read only what is held.
CREATE INDEX outbox_held_idx ON outbox (created_at) WHERE status = 'held';
