-- kycard's schema on PostgreSQL: the same records as the SQLite schema, in native types
-- (uuid, timestamptz, jsonb, boolean, bytea). Personal data lives only in customers.data.
-- Several kycard instances share one database: queued work (review jobs, webhook deliveries)
-- is claimed with a lease, so no two instances run the same job and a dead instance's claim
-- expires.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organizations (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    sandbox      boolean NOT NULL DEFAULT false,
    -- How many times a customer may be reviewed; NULL: core's default.
    attempt_cap  integer,
    created_at   timestamptz NOT NULL
);

-- Keys are random; only their SHA-256 is stored. The prefix identifies a key in listings.
CREATE TABLE api_keys (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    role             text NOT NULL CHECK (role IN ('operator', 'reviewer', 'admin')),
    prefix           text NOT NULL,
    secret_sha256    text NOT NULL UNIQUE,
    label            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    last_used_at     timestamptz,
    revoked_at       timestamptz
);
CREATE INDEX api_keys_organization ON api_keys (organization_id, id);

CREATE TABLE users (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    email            text NOT NULL UNIQUE,
    role             text NOT NULL CHECK (role IN ('operator', 'reviewer', 'admin')),
    password_hash    text NOT NULL,
    created_at       timestamptz NOT NULL
);

CREATE TABLE customers (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations(id),
    version             bigint NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    -- Normalised CustomerData: the only place personal data is kept.
    data                jsonb NOT NULL,
    individual_cards    boolean NOT NULL,
    status              text CHECK (status IN ('pending', 'active', 'rejected')),
    stage               text CHECK (stage IN ('awaiting_documents', 'automatic', 'manual', 'decided')),
    resubmittable       boolean NOT NULL DEFAULT true,
    decided_at          timestamptz,
    required_documents  jsonb NOT NULL DEFAULT '[]',
    flags               jsonb NOT NULL DEFAULT '[]',
    -- The searchable terms core computes (folded name, email, phone digits).
    search              text NOT NULL
);
CREATE INDEX customers_by_org ON customers (organization_id, id);
CREATE INDEX customers_by_org_status ON customers (organization_id, status, id);
CREATE INDEX customers_manual_queue ON customers (organization_id, updated_at, id) WHERE stage = 'manual';
CREATE INDEX customers_search ON customers USING gin (search gin_trgm_ops);

-- Every change to a customer, written in the transaction of the change. Its event number,
-- seq, is given once the change has committed, by one sequencer transaction at a time (see
-- server/src/store/postgres/sequencer.rs), in increasing order: readers that resume after a
-- seq never miss a change, and writers take no lock to number their lines.
CREATE SEQUENCE customer_history_seq;
CREATE TABLE customer_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq              bigint UNIQUE,
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    customer_id      uuid NOT NULL REFERENCES customers(id),
    at               timestamptz NOT NULL,
    actor_kind       text NOT NULL,
    actor_id         uuid,
    event            text NOT NULL,
    from_state       text,
    to_state         text,
    reason           text,
    checks           jsonb,
    card_id          uuid
);
CREATE INDEX customer_history_by_customer ON customer_history (customer_id, id);
CREATE INDEX customer_history_by_organization ON customer_history (organization_id, seq);
CREATE INDEX customer_history_unsequenced ON customer_history (id) WHERE seq IS NULL;

-- Card numbers are stored only encrypted (AES-256-GCM); last4 is what the API shows.
CREATE TABLE cards (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL REFERENCES organizations(id),
    customer_id       uuid NOT NULL REFERENCES customers(id),
    type              text NOT NULL,
    status            text NOT NULL CHECK (status IN ('active', 'frozen', 'canceled')),
    last4             text NOT NULL,
    number_encrypted  bytea NOT NULL,
    exp_month         integer NOT NULL,
    exp_year          integer NOT NULL,
    cardholder_name   text NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX cards_by_customer ON cards (customer_id, id);

-- The kycard instances using this database, each writing seen_at every few seconds: what
-- an instance holds (a reservation of an idempotency key) dies with it, without waiting for
-- a lease.
CREATE TABLE instances (
    id          uuid PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL
);

CREATE TABLE idempotency_keys (
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    key              text NOT NULL,
    fingerprint      text NOT NULL,
    status           integer NOT NULL,
    body             text NOT NULL,
    created_at       timestamptz NOT NULL,
    -- The instance running the reserved request.
    instance_id      uuid NOT NULL,
    PRIMARY KEY (organization_id, key)
);

-- A row is written only after its file is complete in the document store.
CREATE TABLE documents (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    customer_id      uuid NOT NULL REFERENCES customers(id),
    kind             text NOT NULL,
    content_type     text NOT NULL,
    size             bigint NOT NULL,
    sha256           text NOT NULL,
    -- What was read inside the file (core's DocumentContent).
    content          jsonb,
    has_preview      boolean NOT NULL DEFAULT false,
    issued_on        date,
    state            text NOT NULL CHECK (state IN ('uploaded', 'accepted', 'flagged')),
    flag_code        text,
    flag_message     text,
    uploaded_at      timestamptz NOT NULL,
    superseded_at    timestamptz
);
CREATE INDEX documents_current ON documents (customer_id, kind) WHERE superseded_at IS NULL;
CREATE INDEX documents_by_sha256 ON documents (organization_id, sha256);

-- Automatic reviews to run, claimed by one instance at a time until claimed_until.
CREATE TABLE review_jobs (
    customer_id      uuid PRIMARY KEY REFERENCES customers(id),
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    enqueued_at      timestamptz NOT NULL,
    claimed_until    timestamptz
);

CREATE TABLE sessions (
    token_sha256  text PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users(id),
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    last_seen_at  timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE webhooks (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations(id),
    url              text NOT NULL,
    events           jsonb NOT NULL,
    secret_sealed    bytea NOT NULL,
    cursor_seq       bigint NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX webhooks_by_organization ON webhooks (organization_id, id);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_seq        bigint NOT NULL,
    event_type       text NOT NULL,
    event_at         timestamptz NOT NULL,
    customer_id      uuid NOT NULL,
    card_id          uuid,
    status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         jsonb NOT NULL DEFAULT '[]',
    next_attempt_at  timestamptz,
    -- The instance sending it holds it until then.
    claimed_until    timestamptz,
    created_at       timestamptz NOT NULL,
    UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, event_seq);

CREATE TABLE renewal_notices (
    customer_id  uuid NOT NULL REFERENCES customers(id),
    expires_on   date NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('due', 'expired')),
    noticed_at   timestamptz NOT NULL,
    PRIMARY KEY (customer_id, expires_on, kind)
);

CREATE TABLE settings (
    key    text PRIMARY KEY,
    value  text NOT NULL
);

-- Sign-in attempts, counted across every instance: one row per limited key (account and
-- address, address, account), named by its SHA-256 so no email is kept, counting from the
-- first attempt of its window.
CREATE TABLE sign_in_attempts (
    key_sha256  text PRIMARY KEY,
    first_at    timestamptz NOT NULL,
    attempts    integer NOT NULL
);
CREATE INDEX sign_in_attempts_first ON sign_in_attempts (first_at);
