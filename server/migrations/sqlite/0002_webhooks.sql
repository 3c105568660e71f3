-- Webhook subscriptions and their delivery outbox. Deliveries hold no personal data: they
-- point at a history line, and the event body is built from the current object when sent.

CREATE TABLE webhooks (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    url              TEXT NOT NULL,
    -- JSON array of event type names.
    events           TEXT NOT NULL,
    -- The signing secret, AES-256-GCM sealed with the server key and bound to the webhook id.
    secret_sealed    BLOB NOT NULL,
    -- The last history seq already turned into deliveries (starts at the newest at creation).
    cursor_seq       INTEGER NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX webhooks_by_organization ON webhooks (organization_id, id);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_seq        INTEGER NOT NULL,
    event_type       TEXT NOT NULL,
    event_at         TEXT NOT NULL,
    customer_id      TEXT NOT NULL,
    card_id          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    -- JSON array of {at, status_code, error, duration_ms}.
    attempts         TEXT NOT NULL DEFAULT '[]',
    next_attempt_at  TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
