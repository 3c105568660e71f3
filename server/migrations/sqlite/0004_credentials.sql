-- Credentials that can be listed, revoked and expire when idle.
-- A key's label says what it is for ("demo" keys are replaced at every demo start); its last
-- use is written at most every few minutes.
ALTER TABLE api_keys ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
CREATE INDEX api_keys_organization ON api_keys (organization_id, id);

-- A session's last request (NULL: none since it was made), for the idle timeout.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
