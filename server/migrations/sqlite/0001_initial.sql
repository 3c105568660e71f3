-- kycard's schema. Times are RFC 3339 UTC text, ids UUIDv7 text (time-ordered, so ORDER BY id
-- is creation order), booleans 0/1. Personal data lives only in customers.data (JSON).

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    sandbox     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);

-- Keys are random; only their SHA-256 is stored. The prefix identifies a key in listings.
CREATE TABLE api_keys (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    role             TEXT NOT NULL CHECK (role IN ('operator', 'reviewer', 'admin')),
    prefix           TEXT NOT NULL,
    secret_sha256    TEXT NOT NULL UNIQUE,
    created_at       TEXT NOT NULL,
    revoked_at       TEXT
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    email            TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL CHECK (role IN ('operator', 'reviewer', 'admin')),
    password_hash    TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    organization_id   TEXT NOT NULL REFERENCES organizations(id),
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    -- Normalised CustomerData JSON: the only place personal data is kept.
    data              TEXT NOT NULL,
    individual_cards  INTEGER NOT NULL,
    -- Onboarding state (NULL outside the card program).
    status            TEXT CHECK (status IN ('pending', 'active', 'rejected')),
    stage             TEXT CHECK (stage IN ('awaiting_documents', 'automatic', 'manual', 'decided')),
    resubmittable     INTEGER NOT NULL DEFAULT 1,
    decided_at        TEXT,
    -- Documents the profile needs (JSON array of kinds), computed by core when data changes.
    required_documents TEXT NOT NULL DEFAULT '[]',
    -- Flags of the latest rejection (JSON array), cleared by resubmission.
    flags             TEXT NOT NULL DEFAULT '[]',
    -- Lower-cased "name email" for `q` searches.
    search            TEXT NOT NULL
);
CREATE INDEX customers_by_org ON customers (organization_id, id);
CREATE INDEX customers_by_org_status ON customers (organization_id, status, id);

-- Every change to a customer, written in the same transaction as the change.
CREATE TABLE customer_history (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT,
    event        TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT,
    reason       TEXT,
    checks       TEXT,
    -- The card concerned, for card events.
    card_id      TEXT
);
CREATE INDEX customer_history_by_customer ON customer_history (customer_id, seq);

-- Card numbers are stored only encrypted (AES-256-GCM); last4 is what the API shows.
CREATE TABLE cards (
    id                TEXT PRIMARY KEY,
    organization_id   TEXT NOT NULL REFERENCES organizations(id),
    customer_id       TEXT NOT NULL REFERENCES customers(id),
    type              TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'canceled')),
    last4             TEXT NOT NULL,
    number_encrypted  BLOB NOT NULL,
    exp_month         INTEGER NOT NULL,
    exp_year          INTEGER NOT NULL,
    cardholder_name   TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX cards_by_customer ON cards (customer_id, id);

-- Replays of POST requests: same key and same body give the first response back.
CREATE TABLE idempotency_keys (
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    key              TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    status           INTEGER NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (organization_id, key)
);

-- Uploaded files live on disk under generated names; this row is written only after the file
-- is complete and synced. A newer upload of a kind supersedes the older (kept for audit).
CREATE TABLE documents (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    kind             TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    width            INTEGER,
    height           INTEGER,
    issued_on        TEXT,
    state            TEXT NOT NULL CHECK (state IN ('uploaded', 'accepted', 'flagged')),
    flag_code        TEXT,
    flag_message     TEXT,
    uploaded_at      TEXT NOT NULL,
    superseded_at    TEXT
);
CREATE INDEX documents_current ON documents (customer_id, kind) WHERE superseded_at IS NULL;

-- Automatic reviews to run. Written in the transaction that completes the documents, deleted
-- in the one that stores the decision: a crash in between leaves the job to resume.
CREATE TABLE review_jobs (
    customer_id      TEXT PRIMARY KEY REFERENCES customers(id),
    organization_id  TEXT NOT NULL REFERENCES organizations(id),
    enqueued_at      TEXT NOT NULL
);

-- Browser sessions: only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_sha256  TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
