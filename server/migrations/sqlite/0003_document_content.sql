-- What was read inside each uploaded file (decoded picture measures, PDF structure, or why it
-- could not be read), as core's DocumentContent JSON; NULL for files stored before reading
-- existed (the review reads those from disk). Header dimensions are no longer kept: the
-- measures hold the decoded size.
ALTER TABLE documents ADD COLUMN content TEXT;
-- Whether a metadata-free preview was written beside the file.
ALTER TABLE documents ADD COLUMN has_preview INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents DROP COLUMN width;
ALTER TABLE documents DROP COLUMN height;
CREATE INDEX documents_by_sha256 ON documents (organization_id, sha256);

-- How many times a customer of the organization may be reviewed: the rejection that uses up
-- the last attempt is final. NULL: core's default (DEFAULT_ATTEMPT_CAP).
ALTER TABLE organizations ADD COLUMN attempt_cap INTEGER;

-- Renewal notices sent to active customers whose ID expires: one per customer, expiry date
-- and kind, written with its history line (the event) so a notice goes out exactly once.
CREATE TABLE renewal_notices (
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    expires_on   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('due', 'expired')),
    noticed_at   TEXT NOT NULL,
    PRIMARY KEY (customer_id, expires_on, kind)
);
