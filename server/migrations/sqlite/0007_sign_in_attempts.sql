-- Sign-in attempts, counted in the database (they survive a restart): one row per limited
-- key (account and address, address, account), named by its SHA-256 so no email is kept,
-- counting from the first attempt of its window.
CREATE TABLE sign_in_attempts (
    key_sha256  TEXT PRIMARY KEY,
    first_at    TEXT NOT NULL,
    attempts    INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_first ON sign_in_attempts (first_at);
