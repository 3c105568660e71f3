-- Queued work is claimed before it runs, until claimed_until: a job or a delivery is run by
-- one worker at a time, and a claim left by a worker that died expires.
ALTER TABLE review_jobs ADD COLUMN claimed_until TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until TEXT;
